using LaMo.World;

namespace LaMo.Evaluation.Physics;

/// <summary>Computes <see cref="ClipPhysicsResult"/> for one generated video against its ground-truth clip.</summary>
/// <remarks>Kinematic metrics (M1–M5, M7, M9) come from the parser tracks (<see cref="ObjectTrack"/>); pixel metrics
/// (M6 blobs, M8) from <see cref="MaskMetrics"/>. Only valid frames count: true disc fully inside and, in continuation
/// mode, after <see cref="PhysicsOptions.GivenFrames"/>. World v2 moving cameras: every track is in world coordinates
/// (converted with the ground-truth camera). Law-only metrics (M7, M9) need the camera of the judged video; in
/// continuation mode the given frames fix it, so they use world coordinates (in v1 pixels of the 10 x 10 world); in
/// text-to-video mode the generated camera is unknown, so they are computed only on static-camera clips (null otherwise).</remarks>
public static class ClipEvaluator
{
    private const double Dt = WorldConstants.FrameInterval;

    /// <summary>Fewest usable frames of an event-free segment for the fitted metrics (M1c, M3, M7).</summary>
    public const int MinFitFrames = 4;

    /// <summary>Evaluates one video.</summary>
    /// <param name="clipId">Id stored in the result.</param>
    /// <param name="clip">Ground truth.</param>
    /// <param name="video">Generated frames, RGB [F, H, W, 3], same size and frame count as the clip.</param>
    /// <param name="options">Options (validated here).</param>
    /// <param name="groundTruthRender">The lossless GT render if already made (else rendered here).</param>
    /// <exception cref="ArgumentException">Size or frame count differs from the clip, or GivenFrames leaves nothing to judge.</exception>
    /// <exception cref="NotSupportedException">A ball colour the parser cannot isolate, or two balls of one colour.</exception>
    public static ClipPhysicsResult Evaluate(string clipId, WorldClip clip, FrameStack video, PhysicsOptions options,
        FrameStack? groundTruthRender = null)
    {
        options.Validate();
        CheckCompatible(clipId, clip, video, options);
        var tracks = clip.Objects.Select(o => ObjectTrack.Measure(clip, video, o.Id, options)).ToArray();
        var gt = groundTruthRender ?? new FrameStack(Renderer.Render(clip), clip.Frames.Count, clip.Render.Height, clip.Render.Width);
        var masks = MaskMetrics.Compute(clip, video, gt, tracks, options);

        bool failure = tracks.Any(tr =>
        {
            int valid = tr.Valid.Count(v => v), missing = Enumerable.Range(0, video.Count).Count(t => tr.Valid[t] && !tr.Detected[t]);
            return valid > 0 && missing > valid / 2.0;
        });
        var firstCollision = clip.Events.Where(e => e.Kind == "collision").Select(e => (double?)e.Time).Min();
        var m1 = VelocityError(tracks, firstCollision, staticBaseline: false);
        var m1Static = VelocityError(tracks, firstCollision, staticBaseline: true);
        var (mom, energy) = failure ? (null, null) : Conservation(clip, tracks);
        var lawMetrics = clip.StaticCamera || options.GivenFrames > 0;
        var px = tracks.Select(tr => LawPixels(clip, tr)).ToArray();
        return new ClipPhysicsResult(
            clipId, ScenarioNames.Name(clip.Scenario), clip.Split, video.Count - options.GivenFrames, failure,
            failure ? null : m1, failure ? m1Static : m1,
            failure ? null : MeanVelocityError(tracks, firstCollision),
            failure ? null : FittedVelocityError(clip, tracks),
            failure ? null : Mean(tracks.SelectMany(tr => Frames(tr).Where(tr.Usable)
                .Select(t => Math.Sqrt(Sq(tr.X[t] - tr.TrueX[t]) + Sq(tr.Y[t] - tr.TrueY[t]))))),
            failure ? null : GravityError(clip, tracks),
            mom, energy,
            Mean(tracks.Select(SizeDrift).OfType<double>()),
            masks.Permanence, masks.SpuriousRate,
            lawMetrics ? LawResidual(clip, tracks, px) : null, lawMetrics ? FittedAcceleration(clip, tracks) : null,
            masks.SpatioTemporalIoU, masks.SpatialIoU, masks.WeightedSpatialIoU, masks.PixelMse,
            lawMetrics ? FrozenRate(tracks, px, options.FrozenPixels) : null, lawMetrics ? RmsJerk(tracks) : null);
    }

    // Positions for the pixel-unit law metrics: the image's own under a static camera; under a moving one the world
    // position in pixels of the v1 view (so a panning camera adds no motion of its own).
    private static (double[] U, double[] V) LawPixels(WorldClip clip, ObjectTrack tr)
    {
        if (clip.StaticCamera) return (tr.U, tr.V);
        var cam = clip.Camera;
        return (tr.X.Select(x => x * cam.ScaleX).ToArray(), tr.Y.Select(y => (cam.WorldHeight - y) * cam.ScaleY).ToArray());
    }

    private static void CheckCompatible(string clipId, WorldClip clip, FrameStack video, PhysicsOptions options)
    {
        if (video.Width != clip.Render.Width || video.Height != clip.Render.Height)
            throw new ArgumentException($"{clipId}: video is {video.Width}x{video.Height} but the clip renders at {clip.Render.Width}x{clip.Render.Height}", nameof(video));
        if (video.Count != clip.Frames.Count)
            throw new ArgumentException($"{clipId}: video has {video.Count} frames but the clip has {clip.Frames.Count}", nameof(video));
        if (options.GivenFrames >= video.Count)
            throw new ArgumentException($"{clipId}: GivenFrames ({options.GivenFrames}) leaves no frame of {video.Count} to judge", nameof(options));
        foreach (var g in clip.Objects.GroupBy(o => ColourParser.ChannelOf(o.Colour)))
            if (g.Count() > 1)
                throw new NotSupportedException($"{clipId}: {g.Count()} balls share colour '{g.First().Colour}'; the colour parser needs distinct colours");
    }

    private static IEnumerable<int> Frames(ObjectTrack tr) => Enumerable.Range(0, tr.Time.Length);

    // M1: pairs (t, t+1) both usable; with a collision only pairs starting at or after it. The static baseline's
    // error is the same mean with v̂ = 0 over the valid pairs (detection ignored: a frozen ball is always found).
    private static double? VelocityError(ObjectTrack[] tracks, double? collision, bool staticBaseline)
    {
        var errs = new List<double>();
        foreach (var tr in tracks)
            for (var t = 0; t + 1 < tr.Time.Length; t++)
            {
                if (collision is { } tc && tr.Time[t] < tc - 1e-9) continue;
                if (!tr.Valid[t] || !tr.Valid[t + 1]) continue;
                double vx = (tr.TrueX[t + 1] - tr.TrueX[t]) / Dt, vy = (tr.TrueY[t + 1] - tr.TrueY[t]) / Dt;
                if (staticBaseline) { errs.Add(Math.Sqrt(vx * vx + vy * vy)); continue; }
                if (!tr.Detected[t] || !tr.Detected[t + 1]) continue;
                double hx = (tr.X[t + 1] - tr.X[t]) / Dt, hy = (tr.Y[t + 1] - tr.Y[t]) / Dt;
                errs.Add(Math.Sqrt(Sq(hx - vx) + Sq(hy - vy)));
            }
        return Mean(errs);
    }

    private static double? MeanVelocityError(ObjectTrack[] tracks, double? collision)
    {
        var errs = new List<double>();
        foreach (var tr in tracks)
        {
            var pairs = Enumerable.Range(0, tr.Time.Length - 1)
                .Where(t => tr.Usable(t) && tr.Usable(t + 1) && (collision is not { } tc || tr.Time[t] >= tc - 1e-9)).ToArray();
            if (pairs.Length == 0) continue;
            errs.Add(Math.Abs(pairs.Average(t => (tr.X[t + 1] - tr.X[t]) / Dt) - pairs.Average(t => (tr.TrueX[t + 1] - tr.TrueX[t]) / Dt)));
        }
        return Mean(errs);
    }

    /// <summary>Usable frames of each event-free segment of a track (events of that object split segments; a frame at
    /// an event's exact time starts the new segment).</summary>
    internal static IEnumerable<int[]> Segments(WorldClip clip, ObjectTrack tr)
    {
        var times = clip.Events.Where(e => e.Object == tr.Id || e.Other == tr.Id).Select(e => e.Time).ToArray();
        return Frames(tr).Where(tr.Usable)
            .GroupBy(t => times.Count(et => et <= tr.Time[t] + 1e-9))
            .Select(g => g.ToArray());
    }

    private static double? FittedVelocityError(WorldClip clip, ObjectTrack[] tracks)
    {
        // Segments of at least MinFitFrames frames, weighted by their frame count: a 3-frame slope between two
        // bounces has ~3x the parser noise of a 12-frame one and would dominate an unweighted mean.
        double sum = 0, weight = 0;
        foreach (var tr in tracks)
            foreach (var seg in Segments(clip, tr).Where(s => s.Length >= MinFitFrames))
            {
                var ts = seg.Select(t => tr.Time[t]).ToArray();
                var slope = LeastSquares.Fit(ts, seg.Select(t => tr.X[t]).ToArray(), 1).Coefficients[1];
                var truth = LeastSquares.Fit(ts, seg.Select(t => tr.TrueX[t]).ToArray(), 1).Coefficients[1];
                sum += seg.Length * Math.Abs(slope - truth);
                weight += seg.Length;
            }
        return weight == 0 ? null : sum / weight;
    }

    private static double? GravityError(WorldClip clip, ObjectTrack[] tracks)
    {
        if (clip.Scenario != Scenario.Parabola || clip.Scene.Gravity <= 0) return null;
        var g = clip.Scene.Gravity;
        var errs = new List<double>();
        foreach (var tr in tracks)
            foreach (var seg in Segments(clip, tr).Where(s => s.Length >= MinFitFrames))
            {
                var c = LeastSquares.Fit(seg.Select(t => tr.Time[t]).ToArray(), seg.Select(t => tr.Y[t]).ToArray(), 2).Coefficients;
                errs.Add(Math.Abs(-2 * c[2] - g) / g);   // y = a + b t − ĝ t²/2 ⇒ ĝ = −2 c₂
            }
        return Mean(errs);
    }

    // M4: velocities fitted on each ball's segment right after the first collision (up to its next event).
    private static (double?, double?) Conservation(WorldClip clip, ObjectTrack[] tracks)
    {
        var col = clip.Events.Where(e => e.Kind == "collision" && e.Other is not null).OrderBy(e => e.Time).FirstOrDefault();
        if (col is null) return (null, null);
        double p0x = 0, p0y = 0, pScale = 0, e0 = 0, px = 0, py = 0, e = 0;
        foreach (var id in new[] { col.Object, col.Other!.Value })
        {
            var tr = tracks[id];
            var m = tr.Radius * tr.Radius;
            var s0 = clip.Frames[0].Objects[id];
            (p0x, p0y, pScale, e0) = (p0x + m * s0.Vx, p0y + m * s0.Vy, pScale + m * Math.Sqrt(s0.Vx * s0.Vx + s0.Vy * s0.Vy), e0 + 0.5 * m * (s0.Vx * s0.Vx + s0.Vy * s0.Vy));
            var next = clip.Events.Where(ev => (ev.Object == id || ev.Other == id) && ev.Time > col.Time + 1e-9).Select(ev => ev.Time).DefaultIfEmpty(double.PositiveInfinity).Min();
            var seg = Frames(tr).Where(t => tr.Usable(t) && tr.Time[t] >= col.Time - 1e-9 && tr.Time[t] < next - 1e-9).ToArray();
            if (seg.Length < 2) return (null, null);
            var ts = seg.Select(t => tr.Time[t]).ToArray();
            double vx = LeastSquares.Fit(ts, seg.Select(t => tr.X[t]).ToArray(), 1).Coefficients[1];
            double vy = LeastSquares.Fit(ts, seg.Select(t => tr.Y[t]).ToArray(), 1).Coefficients[1];
            (px, py, e) = (px + m * vx, py + m * vy, e + 0.5 * m * (vx * vx + vy * vy));
        }
        return (pScale > 0 ? Math.Sqrt(Sq(px - p0x) + Sq(py - p0y)) / pScale : null, e0 > 0 ? Math.Abs(e - e0) / e0 : null);
    }

    private static double? SizeDrift(ObjectTrack tr)
    {
        var r = Frames(tr).Where(tr.Usable).Select(t => tr.RadiusHat[t]).ToArray();
        return r.Length >= 2 ? (r.Max() - r.Min()) / tr.Radius : null;
    }

    private static double? LawResidual(WorldClip clip, ObjectTrack[] tracks, (double[] U, double[] V)[] px)
    {
        bool lines = clip.Scenario is Scenario.Uniform or Scenario.Collision or Scenario.WallBounce or Scenario.WallCollision;
        if (!lines && clip.Scenario != Scenario.Parabola) return null;
        var res = new List<double>();
        foreach (var tr in tracks)
            foreach (var seg in Segments(clip, tr).Where(s => s.Length >= MinFitFrames))
            {
                var ts = seg.Select(t => tr.Time[t]).ToArray();
                var (pu, pv) = px[tr.Id];
                double[] u = seg.Select(t => pu[t]).ToArray(), v = seg.Select(t => pv[t]).ToArray();
                res.AddRange(LeastSquares.Residuals(ts, u, LeastSquares.Fit(ts, u, 1).Coefficients));
                var dv = lines ? 1 : 2;
                res.AddRange(LeastSquares.Residuals(ts, v, LeastSquares.Fit(ts, v, dv).Coefficients));
            }
        return res.Count == 0 ? null : Math.Sqrt(res.Average(x => x * x));
    }

    private static double? FittedAcceleration(WorldClip clip, ObjectTrack[] tracks)
    {
        if (clip.Scenario != Scenario.Uniform) return null;
        var acc = new List<double>();
        foreach (var tr in tracks)
        {
            var seg = Frames(tr).Where(tr.Usable).ToArray();
            if (seg.Length < MinFitFrames) continue;
            var ts = seg.Select(t => tr.Time[t]).ToArray();
            double ax = 2 * LeastSquares.Fit(ts, seg.Select(t => tr.X[t]).ToArray(), 2).Coefficients[2];
            double ay = 2 * LeastSquares.Fit(ts, seg.Select(t => tr.Y[t]).ToArray(), 2).Coefficients[2];
            acc.Add(Math.Sqrt(ax * ax + ay * ay));
        }
        return Mean(acc);
    }

    private static double? FrozenRate(ObjectTrack[] tracks, (double[] U, double[] V)[] px, double frozenPx)
    {
        int pairs = 0, frozen = 0;
        foreach (var tr in tracks)
            for (var t = 0; t + 1 < tr.Time.Length; t++)
                if (tr.Usable(t) && tr.Usable(t + 1))
                {
                    pairs++;
                    var (u, v) = px[tr.Id];
                    if (Math.Sqrt(Sq(u[t + 1] - u[t]) + Sq(v[t + 1] - v[t])) < frozenPx) frozen++;
                }
        return pairs == 0 ? null : frozen / (double)pairs;
    }

    private static double? RmsJerk(ObjectTrack[] tracks)
    {
        var sq = new List<double>();
        foreach (var tr in tracks)
            for (var t = 0; t + 3 < tr.Time.Length; t++)
            {
                if (!(tr.Usable(t) && tr.Usable(t + 1) && tr.Usable(t + 2) && tr.Usable(t + 3))) continue;
                double jx = (tr.X[t + 3] - 3 * tr.X[t + 2] + 3 * tr.X[t + 1] - tr.X[t]) / (Dt * Dt * Dt);
                double jy = (tr.Y[t + 3] - 3 * tr.Y[t + 2] + 3 * tr.Y[t + 1] - tr.Y[t]) / (Dt * Dt * Dt);
                sq.Add(jx * jx + jy * jy);
            }
        return sq.Count == 0 ? null : Math.Sqrt(sq.Average());
    }

    private static double Sq(double x) => x * x;

    private static double? Mean(IEnumerable<double> xs)
    {
        var a = xs.ToArray();
        return a.Length == 0 ? null : a.Average();
    }
}
