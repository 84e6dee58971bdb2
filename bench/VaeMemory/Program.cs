// VAE memory/time benchmark: one measurement per process, because VmHWM (peak resident set) never goes down.
//   dotnet run -c Release --project bench/VaeMemory -- 49              decode 13 latent frames → 49 frames
//   dotnet run -c Release --project bench/VaeMemory -- 9               decode 3 latent frames → 9 frames
//   dotnet run -c Release --project bench/VaeMemory -- time            encode+decode a 17×64×64 clip (mean of 5)
// Options: --config PATH (default configs/tiny/vae/config.json), --size N (frame height = width, default 64),
//          --threads N (default 2), --conv3d (use LibTorch's Conv3d instead of the per-tap conv2d; for comparison),
//          --latent N (decode N latent frames), --repeat N (extra decodes before the measured one).
using System.Diagnostics;
using LaMo.Models.CogVideoXVae;
using static TorchSharp.torch;

string mode = args.Length > 0 ? args[0] : "49";
string configPath = Option("--config") ?? FindRepoFile("configs/tiny/vae/config.json");
int size = int.Parse(Option("--size") ?? "64");
set_num_threads(int.Parse(Option("--threads") ?? "2"));
if (args.Contains("--conv3d")) CogVideoXCausalConv3d.UseFrameConv2d = false;   // LibTorch Conv3d instead of per-tap conv2d
manual_seed(0);

var config = AutoencoderKLCogVideoXConfig.Load(configPath);
using var vae = new AutoencoderKLCogVideoX(config);
vae.eval();
using var noGrad = no_grad();
int r = (int)config.TemporalCompressionRatio, s = config.SpatialCompression;
Console.WriteLine($"config {configPath}: block_out_channels [{string.Join(", ", config.BlockOutChannels)}], " +
                  $"latent {config.LatentChannels}, params {vae.ParameterCount:N0}");

if (mode == "conv") // diagnostic: one Conv3d 32→32 on [1, 32, T, 64, 64]
{
    long t = long.Parse(Option("--t") ?? "10");
    using var c3 = TorchSharp.torch.nn.Conv3d(32, 32, (3L, 3L, 3L), stride: (1L, 1L, 1L), padding: (0L, 1L, 1L));
    using var xin = randn(new long[] { 1, 32, t, 64, 64 });
    long before = Status("VmRSS");
    using (var yout = c3.forward(xin)) { }
    Console.WriteLine($"conv3d T={t}: growth {(Status("VmHWM") - before) / 1024.0:F1} MB");
    return;
}
if (mode == "time")
{
    using var video = rand(new long[] { 1, config.InChannels, 17, size, size }) * 2 - 1;
    Run(video); // warm-up
    var sw = Stopwatch.StartNew();
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    const int repeats = 5;
    for (int i = 0; i < repeats; i++) Run(video);
    double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / repeats;
    Console.WriteLine($"encode+decode 17×{size}×{size}: wall {sw.Elapsed.TotalMilliseconds / repeats:F0} ms, " +
                      $"CPU {cpuMs:F0} ms (mean of {repeats}, {get_num_threads()} threads; on an idle machine wall ≈ CPU / threads)");
    return;
}

int frames = int.Parse(mode);
if ((frames - 1) % r != 0) throw new ArgumentException($"frames must be 1 + {r}k");
int latentFrames = Option("--latent") is string lf ? int.Parse(lf) : (frames - 1) / r + 1;
using var latents = randn(new long[] { 1, config.LatentChannels, latentFrames, size / s, size / s });
long rssBefore = Status("VmRSS"), hwmBefore = Status("VmHWM");
for (int i = 0; i < int.Parse(Option("--repeat") ?? "0"); i++)
{
    using (var warm = vae.Decode(latents)) { }
    Console.WriteLine($"  decode {i + 1}: VmHWM {Status("VmHWM") / 1024.0:F1} MB, VmRSS {Status("VmRSS") / 1024.0:F1} MB");
}
var timer = Stopwatch.StartNew();
var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
using (var videoOut = vae.Decode(latents))
{
    timer.Stop();
    Console.WriteLine($"CPU time {(Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds:F0} ms");
    Console.WriteLine($"decoded [{string.Join(", ", latents.shape)}] → [{string.Join(", ", videoOut.shape)}] in {timer.Elapsed.TotalMilliseconds:F0} ms");
}
long hwm = Status("VmHWM");
Console.WriteLine($"VmRSS before decode {rssBefore / 1024.0:F1} MB, VmHWM before {hwmBefore / 1024.0:F1} MB, " +
                  $"VmHWM after {hwm / 1024.0:F1} MB, peak growth during decode {(hwm - rssBefore) / 1024.0:F1} MB");
Console.WriteLine($"RESULT frames={frames} latent_frames={latentFrames} ms={timer.Elapsed.TotalMilliseconds:F0} " +
                  $"hwm_mb={hwm / 1024.0:F1} growth_mb={(hwm - rssBefore) / 1024.0:F1}");

void Run(Tensor video)
{
    using var scope = NewDisposeScope();
    using var dist = vae.Encode(video);
    using var recon = vae.Decode(dist.Mean);
}

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static long Status(string key) // kB from /proc/self/status
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith(key + ":", StringComparison.Ordinal))
            return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0]);
    throw new InvalidOperationException($"{key} not in /proc/self/status");
}

static string FindRepoFile(string relative)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        string candidate = Path.Combine(dir.FullName, relative);
        if (File.Exists(candidate)) return candidate;
    }
    return Path.GetFullPath(relative);
}
