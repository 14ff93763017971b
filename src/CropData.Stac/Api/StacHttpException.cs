using System.Net;

namespace CropData.Stac.Api;

/// <summary>A STAC or metadata request that failed for good. The message names the URL and what happened; never credentials.</summary>
public sealed class StacHttpException(string message, Uri uri, HttpStatusCode? statusCode, int tries, Exception? inner = null)
    : Exception(message, inner)
{
    public Uri Uri { get; } = uri;
    public HttpStatusCode? StatusCode { get; } = statusCode;
    public int Tries { get; } = tries;
}
