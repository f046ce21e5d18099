namespace Eppo.Grains;
