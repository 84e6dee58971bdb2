// Samples a clip with the shipped demo pipeline, its LaMo fine-tune and Motion Prior Guidance, and writes an mp4.
// Usage: dotnet run -- [models folder (default ../../models/demo)] [output folder] [denoising steps]
using LaMo.Motion;
using LaMo.Workflows;

string models = args.Length > 0 ? args[0] : Path.Combine("..", "..", "models", "demo");
string output = args.Length > 1 ? args[1] : "guided-video";
int steps = args.Length > 2 ? int.Parse(args[2]) : 20;

// models/demo holds a base pipeline (diffusers layout) and, per training seed, a LoRA fine-tuned with the Motion Drift
// Loss together with the motion-field predictor that guidance uses.
string fineTune = Path.Combine(models, "ft-lamo-s0");
var videos = SampleWorkflow.Run(new SampleOptions(
    Pipeline: Path.Combine(models, "base"),
    Prompts: ["A small red ball rolls to the right and bounces off the wall."],
    Seeds: [0],
    Out: output,
    Lora: Path.Combine(fineTune, "pytorch_lora_weights.safetensors"),
    Predictor: Path.Combine(fineTune, "predictor"),
    Guidance: MotionPriorGuidanceOptions.Default,   // λ = 15, ρ = 0.8: the published settings
    Steps: steps, Frames: 17, Size: 32, Format: "mp4", Overwrite: true));

foreach (var video in videos)
    Console.WriteLine($"wrote {video.Path} ({video.Seconds:F1} s)");
