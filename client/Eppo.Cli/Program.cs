Console.WriteLine("eppo");
