namespace Eppo.Grains.Interfaces;
