// Fine-tunes the shipped demo pipeline with LaMo's Motion Drift Loss for a few steps: a small synthetic physics world,
// its latent cache, then LoRA training with the drift loss and the jointly trained motion-field predictor.
// Usage: dotnet run -- [models folder (default ../../models/demo)] [work folder] [training steps]
using LaMo.Data;
using LaMo.Training;
using LaMo.Workflows;
using LaMo.World;

string models = args.Length > 0 ? args[0] : Path.Combine("..", "..", "models", "demo");
string work = args.Length > 1 ? args[1] : "drift-fine-tune";
int steps = args.Length > 2 ? int.Parse(args[2]) : 50;
const int size = 32, frames = 17;   // the demo models' clip size

string basePipeline = Path.Combine(models, "base");
string world = Path.Combine(work, "world"), cache = Path.Combine(work, "cache"), run = Path.Combine(work, "run");

// 1. Training clips: two clips of each physics scenario, from the training split's ranges.
WorldDatasetWriter.Write(new WorldDatasetOptions(world, Enum.GetValues<Scenario>(), CountPerScenario: 2,
    SplitRanges.Standard("train"), Seed: 7, Size: size, Frames: frames).Validate());

// 2. Encode them once with the pipeline's VAE and text encoder (training reads latents, not videos).
EncodeWorkflow.Run(world, basePipeline, cache, new ClipReadOptions(frames, size, size));

// 3. LoRA fine-tune with the Motion Drift Loss and the predictor trained jointly (as the published recipe).
var result = BackboneWorkflow.Run(new BackboneTrainingOptions
{
    Cache = cache, Out = run, Init = basePipeline, Mode = "lora",
    DriftLoss = true, Predictor = true, PredictorConfig = "small",
    Steps = steps, BatchSize = 2, LearningRate = 1e-3, WarmupSteps = 0, LogEvery = 1, Overwrite = true,
});

// loss = denoising loss + weighted drift loss; prior = the predictor's own loss.
var last = result.History[^1].Metrics;
Console.WriteLine($"trained {result.FinalStep} steps; last step: " +
    string.Join(", ", new[] { "loss", "denoise", "drift", "prior" }.Select(k => $"{k} {last[k]:G4}")));
Console.WriteLine($"LoRA and predictor in {run}");
