using LaMo.Video;
using LaMo.World;

namespace LaMo.Workflows;

/// <summary>One video <c>lamo sample</c> makes.</summary>
/// <param name="Name">File stem (a world clip's id, the given video's stem, or <c>p000_s0</c>).</param>
/// <param name="Prompt">Caption.</param>
/// <param name="Seed">Noise seed.</param>
/// <param name="Frames">RGB frames to generate.</param>
/// <param name="Height">Frame height.</param>
/// <param name="Width">Frame width.</param>
/// <param name="Fps">Frame rate of the written file.</param>
/// <param name="Clip">World clip id, else null.</param>
/// <param name="Given">The clip whose first frames are given (continuation), else null.</param>
internal sealed record SampleJob(string Name, string Prompt, long Seed, int Frames, int Height, int Width, double Fps, string? Clip,
    Func<VideoFrames>? Given);

/// <summary>The videos of a <c>lamo sample</c> run: prompts × seeds, one given video, or every clip of a world folder.</summary>
internal static class SampleJobs
{
    private const double DefaultFps = 10;

    /// <summary>The jobs in generation order (reads the world's ground truth or the given video, nothing else).</summary>
    public static IReadOnlyList<SampleJob> Build(SampleOptions o)
    {
        if (o.World is not null) return World(o);
        if (o.GivenVideo is not null) return GivenVideo(o);
        int frames = o.Frames > 0 ? o.Frames : 17;
        return o.Prompts.SelectMany((p, i) => o.Seeds.Select(s =>
            new SampleJob($"p{i:D3}_s{s}", p, s, frames, o.FrameHeight, o.FrameWidth, DefaultFps, null, null))).ToList();
    }

    /// <summary>Ground-truth files of a world folder (<c>W/videos/*.json</c>, or <c>W/*.json</c>), in ordinal id order
    /// (the order <c>lamo eval physics</c> pairs them in).</summary>
    public static IReadOnlyList<string> WorldTruth(string world)
    {
        if (!Directory.Exists(world)) throw new ArgumentException($"--world '{world}' is not a folder");
        string videos = Path.Combine(world, "videos");
        var files = Directory.GetFiles(Directory.Exists(videos) ? videos : world, "*.json").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new ArgumentException($"--world '{world}': no ground-truth .json clips (in videos/ or the folder itself); make one with lamo world generate");
        return files;
    }

    private static List<SampleJob> World(SampleOptions o)
    {
        var files = WorldTruth(o.World!);
        var jobs = new List<SampleJob>();
        for (int i = 0; i < files.Count; i++)
        {
            var clip = WorldClip.Load(files[i]);
            string id = Path.GetFileNameWithoutExtension(files[i]);
            var r = clip.Render;
            if ((o.Frames > 0 && o.Frames != r.Frames) || (o.SizeGiven && (o.FrameHeight != r.Height || o.FrameWidth != r.Width)))
                throw new ArgumentException($"--world clips are {r.Frames} frames of {r.Width}x{r.Height} ({id}): leave out --frames/--size or match them");
            Continuations.CheckGivenFrames(o.GivenFrames, r.Frames);
            Func<VideoFrames>? given = o.GivenFrames > 0 ? () => new VideoFrames(Renderer.Render(clip), r.Frames, r.Height, r.Width, r.Fps) : null;
            jobs.Add(new SampleJob(id, clip.Caption, Continuations.ClipSeed(o.Seeds[0], i), r.Frames, r.Height, r.Width, r.Fps, id, given));
        }
        return jobs;
    }

    private static List<SampleJob> GivenVideo(SampleOptions o)
    {
        var video = VideoDecoder.Decode(o.GivenVideo!);
        if (o.SizeGiven && (o.FrameHeight != video.Height || o.FrameWidth != video.Width))
            throw new ArgumentException($"--given-video is {video.Width}x{video.Height}: leave out --size/--height/--width or match it");
        int frames = o.Frames > 0 ? o.Frames : video.Frames;
        if (video.Frames < o.GivenFrames)
            throw new ArgumentException($"--given-video has {video.Frames} frames, fewer than --given-frames {o.GivenFrames}");
        Continuations.CheckGivenFrames(o.GivenFrames, frames);
        string stem = Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(o.GivenVideo!));
        double fps = video.Fps > 0 ? video.Fps : DefaultFps;
        return o.Seeds.Select(s => new SampleJob(o.Seeds.Count == 1 ? stem : $"{stem}_s{s}", o.Prompts[0], s, frames, video.Height, video.Width, fps,
            stem, () => video)).ToList();
    }
}
