namespace LaMo.Cli.Commands;

/// <summary>Finds files shipped in the repository (configs/, models/) from wherever the CLI binary runs.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder holding LaMo.slnx above the binary), or the current directory.</summary>
    public static string Root
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "LaMo.slnx"))) return d.FullName;
            return Directory.GetCurrentDirectory();
        }
    }

    /// <summary><paramref name="path"/> as given when it exists, else relative to the repository root.</summary>
    public static string Resolve(string path) => File.Exists(path) || Directory.Exists(path) ? path : Path.Combine(Root, path);
}
