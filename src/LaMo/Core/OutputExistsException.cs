namespace LaMo.Core;

/// <summary>A command refused to write where an earlier output (or anything else) already is, and was not asked to
/// replace it (<c>--overwrite</c>, or <c>--resume</c> where that continues it). The message names the place and what to
/// do. The CLI treats it as a usage error (exit code 2): the caller chose the output, and another choice succeeds.</summary>
public sealed class OutputExistsException : IOException
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public OutputExistsException(string message) : base(message) { }

    /// <summary>Creates the exception with no message (for serializers and generic code).</summary>
    public OutputExistsException() { }

    /// <summary>Creates the exception wrapping <paramref name="inner"/>.</summary>
    public OutputExistsException(string message, Exception inner) : base(message, inner) { }
}
