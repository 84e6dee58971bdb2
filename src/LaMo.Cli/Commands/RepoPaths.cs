namespace LaMo.Cli.Commands;

/// <summary>Finds the shipped files (configs/, models/demo) from wherever the CLI binary runs: the repository's copies
/// in a checkout, the copies packed beside the binary in the installed <c>lamo</c> tool.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder holding LaMo.slnx above the binary), or the current directory; default
    /// run folders go under it.</summary>
    public static string Root => RepositoryRoot() ?? Directory.GetCurrentDirectory();

    /// <summary>The folder holding configs/ and models/demo: the repository root, else the binary's own folder when the
    /// tool package put them there, else the current directory.</summary>
    public static string Shipped =>
        RepositoryRoot()
        ?? (Directory.Exists(Path.Combine(AppContext.BaseDirectory, "models", "demo")) ? AppContext.BaseDirectory : Directory.GetCurrentDirectory());

    /// <summary><paramref name="path"/> as given when it exists, else relative to <see cref="Shipped"/>.</summary>
    public static string Resolve(string path) => File.Exists(path) || Directory.Exists(path) ? path : Path.Combine(Shipped, path);

    private static string? RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "LaMo.slnx"))) return d.FullName;
        return null;
    }
}
