using LaMo.World;

namespace LaMo.Evaluation.Physics;

/// <summary>One object's truth and measurement in every frame of a clip (world units, y up; pixels for U, V).</summary>
/// <remarks>World v2: image positions convert to world coordinates with the frame's ground-truth camera pose, and the
/// parser's full-coverage level follows the frame's ground-truth light; a frame is valid only if the true disc is
/// fully inside that frame's view.</remarks>
/// <param name="Id">Object id.</param>
/// <param name="Radius">True radius r.</param>
/// <param name="Valid">Frame is judged: true disc fully inside the world and (continuation mode) after the given frames.</param>
/// <param name="Detected">Parser detection.</param>
/// <param name="Time">Frame times, seconds.</param>
/// <param name="TrueX">c_x(t).</param>
/// <param name="TrueY">c_y(t).</param>
/// <param name="X">ĉ_x(t) (NaN if nothing measured).</param>
/// <param name="Y">ĉ_y(t).</param>
/// <param name="U">ĉ in pixels, u right.</param>
/// <param name="V">ĉ in pixels, v down.</param>
/// <param name="RadiusHat">r̂ = s·sqrt(A/π).</param>
public sealed record ObjectTrack(int Id, double Radius, bool[] Valid, bool[] Detected, double[] Time,
    double[] TrueX, double[] TrueY, double[] X, double[] Y, double[] U, double[] V, double[] RadiusHat)
{
    /// <summary>Frame is valid and detected.</summary>
    public bool Usable(int t) => Valid[t] && Detected[t];

    /// <summary>Parses every frame of <paramref name="video"/> for object <paramref name="id"/> of <paramref name="clip"/>.</summary>
    public static ObjectTrack Measure(WorldClip clip, FrameStack video, int id, PhysicsOptions options)
    {
        var spec = clip.Objects[id];
        var cam = clip.Camera;
        int channel = ColourParser.ChannelOf(spec.Colour), n = video.Count;
        double sx = 1 / cam.ScaleX, sy = 1 / cam.ScaleY;   // units per pixel
        var track = new ObjectTrack(id, spec.Radius, new bool[n], new bool[n], new double[n], new double[n], new double[n],
            new double[n], new double[n], new double[n], new double[n], new double[n]);
        for (var t = 0; t < n; t++)
        {
            var st = clip.Frames[t].Objects[id];
            track.Time[t] = clip.Frames[t].Time;
            track.TrueX[t] = st.X;
            track.TrueY[t] = st.Y;
            track.Valid[t] = st.Visible && t >= options.GivenFrames;
            var pose = clip.Frames[t].Camera;
            var zoom2 = pose is null ? 1 : pose.Zoom * pose.Zoom;   // pixels per unit² grow with zoom²
            var expected = Math.PI * spec.Radius * spec.Radius / (sx * sy) * zoom2;
            var minArea = options.DetectionFraction * expected;
            var gain = clip.Frames[t].Light?.Channel(channel) ?? 1;
            var m = ColourParser.Measure(video.Frame(t), video.Width, video.Height, channel, minArea, gain, options.Blob(expected));
            track.Detected[t] = m.Detected;
            (track.U[t], track.V[t]) = (m.U, m.V);
            (track.X[t], track.Y[t]) = double.IsNaN(m.U) ? (double.NaN, double.NaN) : cam.ToWorld(m.U, m.V, pose);
            track.RadiusHat[t] = Math.Sqrt(m.Area * sx * sy / zoom2 / Math.PI);
        }
        return track;
    }
}
