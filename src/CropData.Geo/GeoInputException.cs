namespace CropData.Geo;

/// <summary>
/// An input (AOI file, bbox, grid file, CSV, manifest) is not what the stage expects. The message names the
/// file or value and says what was expected, so a user can fix the input without reading code.
/// </summary>
public sealed class GeoInputException(string message, Exception? inner = null) : Exception(message, inner);
