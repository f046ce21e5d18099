#!/usr/bin/env bash
# Chaos check (CI runs the same test with 3 kills): one long run on three silos against Azurite, ten SIGKILLs of random silos at random
# moments (a replacement silo starts after each), then the final checkpoint is compared with an uninterrupted run of
# the same spec. Prints the time from each silo's death to the run's next completed iteration.
#   tests/chaos/ten-kills.sh            # random seed (printed)
#   EPPO_CHAOS_SEED=42 tests/chaos/ten-kills.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[[ -x node_modules/.bin/azurite ]] || npm ci --no-audit --no-fund --silent
dotnet build EppoOrleans.sln -c Release -nologo -v quiet -clp:ErrorsOnly
EPPO_CHAOS_KILLS="${EPPO_CHAOS_KILLS:-10}" exec dotnet test tests/Eppo.Cluster.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~ChaosTests" --logger "console;verbosity=detailed"
