using LaMo.Cli;

return CliApp.Run(args);
