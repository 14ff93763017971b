using System.Text.Json.Nodes;
using CropData.Stac.Api;
using CropData.Stac.Model;

namespace CropData.Stac;

/// <summary>
/// Something that answers STAC item searches and hands out linked JSON documents (e.g. UMM-G metadata):
/// a STAC API over HTTP (<see cref="StacApiClient"/>) or a static catalog on disk (<see cref="Static.StaticCatalog"/>).
/// </summary>
public interface IStacSource
{
    /// <summary>A short description for messages (URL or catalog path).</summary>
    string Description { get; }

    IAsyncEnumerable<StacItem> SearchAsync(StacSearchRequest request, CancellationToken cancellationToken = default);

    Task<JsonNode> GetJsonAsync(Uri uri, CancellationToken cancellationToken = default);
}
