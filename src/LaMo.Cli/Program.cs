System.Console.WriteLine("lamo");
