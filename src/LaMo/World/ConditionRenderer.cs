using LaMo.World.Backgrounds;

namespace LaMo.World;

/// <summary>Renders a world v2 clip: per frame, the background field seen from that frame's camera (sampled at pixel
/// centres), floor and wall on the scene plane, the pendulum string; then the frame's light gain on all of it, each
/// surface pixel projected into the clip's <see cref="SeparablePalette"/>; then the balls, lit, with 4 x 4 coverage.</summary>
internal static class ConditionRenderer
{
    public static byte[] Render(WorldClip clip)
    {
        int w = clip.Render.Width, h = clip.Render.Height, n = w * h * 3;
        var state = new State(clip);
        var all = new byte[clip.Frames.Count * n];
        for (var k = 0; k < clip.Frames.Count; k++) state.Frame(k, all.AsSpan(k * n, n));
        return all;
    }

    public static byte[] RenderFrame(WorldClip clip, int k)
    {
        var bytes = new byte[clip.Render.Width * clip.Render.Height * 3];
        new State(clip).Frame(k, bytes);
        return bytes;
    }

    private sealed class State(WorldClip clip)
    {
        private readonly BackgroundField _field = BackgroundField.For(clip.Condition!, clip.Render.BackgroundRgb);
        private readonly int _balls = SeparablePalette.BallChannels(clip.Objects);
        private readonly int _w = clip.Render.Width, _h = clip.Render.Height;
        private CameraPose? _surfacePose;
        // Under grey light (equal gains) the palette projection commutes with the light and with the grey string's
        // blend (both apply one non-decreasing function to every channel, and max(f(a), f(b)) = f(max(a, b))), so the
        // surface is projected once when drawn instead of every frame, with the same bytes.
        private readonly bool _greyLight = clip.Frames.All(f => f.Light is null || (f.Light.R == f.Light.G && f.Light.G == f.Light.B));
        private readonly float[] _surface = new float[clip.Render.Width * clip.Render.Height * 3];
        private readonly float[] _img = new float[clip.Render.Width * clip.Render.Height * 3];

        public void Frame(int k, Span<byte> bytes)
        {
            var f = clip.Frames[k];
            var pose = f.Camera ?? CameraPose.Static;
            var light = f.Light ?? new LightGain(1, 1, 1);
            var view = View.Of(pose, _w, _h);
            // Scene-plane backgrounds under an unmoving camera are drawn once.
            if (_field.DependsOnPose || pose != _surfacePose)
            {
                Surface(pose, view);
                _surfacePose = pose;
            }
            var img = _img;
            Array.Copy(_surface, img, img.Length);
            Renderer.DrawString(clip, k, img, _w, _h, view, Palette.String);
            if (_greyLight)
            {
                // The surface is already projected (see Surface); x·1 is exact, so constant light skips the product.
                if (light.R != 1) PixelOps.Scale(img, light.R);
            }
            else
            {
                for (var p = 0; p < img.Length; p += 3)
                    (img[p], img[p + 1], img[p + 2]) = ((float)(img[p] * light.R), (float)(img[p + 1] * light.G), (float)(img[p + 2] * light.B));
                SeparablePalette.ProjectAll(img, _balls);
            }
            Renderer.DrawBalls(clip, k, img, _w, _h, view, light);
            PixelOps.ToBytes(img, bytes);
        }

        private void Surface(CameraPose pose, View view)
        {
            var img = _surface;
            _field.Draw(img, _w, _h, view.Left, view.Top, view.Sx, view.Sy, pose);
            if (clip.Scene.FloorY is { } fy) FloorRows(img, view, fy, Palette.Floor);
            if (clip.Scene.WallX is { } wx) WallColumns(img, view, wx, Palette.Wall);
            if (_greyLight) SeparablePalette.ProjectAll(img, _balls);
        }

        // The floor (y ≤ fy) with the renderer's 4 x 4 subsample coverage, which for a half-plane is one count per row.
        private void FloorRows(float[] img, View view, double fy, Rgb c)
        {
            const int s = WorldConstants.Supersample;
            for (var j = 0; j < _h; j++)
            {
                var n = 0;
                for (var t = 0; t < s; t++) if (view.Top - (j + (t + 0.5) / s) / view.Sy <= fy) n++;
                if (n > 0) BlendRange(img, j * _w, (j + 1) * _w, 1, c, n / (float)s);
            }
        }

        // The wall (x ≥ wx): one count per column.
        private void WallColumns(float[] img, View view, double wx, Rgb c)
        {
            const int s = WorldConstants.Supersample;
            for (var i = 0; i < _w; i++)
            {
                var n = 0;
                for (var t = 0; t < s; t++) if (view.Left + (i + (t + 0.5) / s) / view.Sx >= wx) n++;
                if (n > 0) BlendRange(img, i, i + _w * _h, _w, c, n / (float)s);
            }
        }

        private static void BlendRange(float[] img, int from, int to, int step, Rgb c, float a)
        {
            for (var q = from; q < to; q += step)
            {
                var p = 3 * q;
                img[p] = (1 - a) * img[p] + a * c.R;
                img[p + 1] = (1 - a) * img[p + 1] + a * c.G;
                img[p + 2] = (1 - a) * img[p + 2] + a * c.B;
            }
        }
    }
}
