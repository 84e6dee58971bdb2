using LaMo.Cli;

// Before any TorchSharp call: libgomp reads OMP_WAIT_POLICY once, when LibTorch loads (docs/performance.md).
LaMo.Core.OpenMpWaitPolicy.ApplyPassiveUnlessSet();
return CliApp.Run(args);
