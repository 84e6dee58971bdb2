using System.Net;
using System.Text;

namespace LaMo.Reports;

/// <summary>A minimal static HTML page builder (no scripts; every asset is a relative file link).</summary>
public sealed class Html
{
    private readonly StringBuilder _body = new();

    /// <summary>HTML-escapes text.</summary>
    public static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Adds a heading.</summary>
    public Html H(int level, string text, string? id = null)
    {
        _body.Append($"<h{level}{(id is null ? "" : $" id=\"{E(id)}\"")}>{E(text)}</h{level}>\n");
        return this;
    }

    /// <summary>Adds a paragraph of text.</summary>
    public Html P(string text, string? cls = null)
    {
        _body.Append($"<p{(cls is null ? "" : $" class=\"{cls}\"")}>{E(text)}</p>\n");
        return this;
    }

    /// <summary>Adds a bullet list.</summary>
    public Html List(IEnumerable<string> items)
    {
        _body.Append("<ul>\n");
        foreach (var i in items) _body.Append($"<li>{E(i)}</li>\n");
        _body.Append("</ul>\n");
        return this;
    }

    /// <summary>Adds a table.</summary>
    public Html Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? id = null)
    {
        _body.Append($"<table{(id is null ? "" : $" id=\"{E(id)}\"")}>\n<tr>{string.Concat(header.Select(h => $"<th>{E(h)}</th>"))}</tr>\n");
        foreach (var r in rows) _body.Append($"<tr>{string.Concat(r.Select(c => $"<td>{E(c)}</td>"))}</tr>\n");
        _body.Append("</table>\n");
        return this;
    }

    /// <summary>Adds a captioned image (PNG or animated GIF), optionally linking to <paramref name="link"/>.</summary>
    public Html Figure(string src, string caption, string? link = null)
    {
        string img = $"<img src=\"{E(src)}\" alt=\"{E(caption)}\">";
        if (link is not null) img = $"<a href=\"{E(link)}\">{img}</a>";
        _body.Append($"<figure>{img}<figcaption>{E(caption)}</figcaption></figure>\n");
        return this;
    }

    /// <summary>Adds a link.</summary>
    public Html Link(string href, string text)
    {
        _body.Append($"<p><a href=\"{E(href)}\">{E(text)}</a></p>\n");
        return this;
    }

    /// <summary>Opens (<paramref name="open"/> true) or closes a flex gallery block.</summary>
    public Html Gallery(bool open)
    {
        _body.Append(open ? "<div class=\"gallery\">\n" : "</div>\n");
        return this;
    }

    /// <summary>The whole page.</summary>
    public string Page(string title) =>
        $"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{E(title)}</title>\n<style>\n" +
        "body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}" +
        "td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}th{background:#eee}td:first-child{text-align:left}" +
        "figure{display:inline-block;margin:0.5em;vertical-align:top}figure img{image-rendering:pixelated;max-width:100%}" +
        "figcaption{font-size:0.85em;color:#444;max-width:420px}.gallery{display:flex;flex-wrap:wrap}.note{color:#555}\n" +
        $"</style>\n</head>\n<body>\n<h1 id=\"title\">{E(title)}</h1>\n{_body}</body>\n</html>\n";
}
