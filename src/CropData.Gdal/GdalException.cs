namespace CropData.Gdal;

/// <summary>A GDAL call failed; the message names the file (or operation) and carries GDAL's own error text.</summary>
public sealed class GdalException(string message, Exception? inner = null) : Exception(message, inner);
