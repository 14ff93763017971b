using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace CropData.Geo.Tests;

/// <summary>
/// The AOI picker page in a real headless Chromium: drawn by mouse events through the DevTools protocol,
/// downloaded through the browser's own download path, then read by <see cref="AoiDocument"/>.
/// </summary>
[Collection("grid")]
public class AoiPickerTests(GridFixture f, ITestOutputHelper log)
{
    [Fact]
    public void Page_is_self_contained_and_carries_every_chip_with_its_tile()
    {
        IReadOnlyList<ChipTile> tiles;
        lock (f.Lock) tiles = f.Assigner.Assign(f.Grid.Chips);
        var html = AoiPickerPage.Render(f.Grid.Chips, tiles);
        Assert.DoesNotContain("<script src", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("url(images/", html);
        Assert.DoesNotContain("url('images/", html);
        Assert.Contains("Leaflet 1.9.4", html);
        Assert.Contains("Leaflet.draw 1.0.4", html);
        Assert.Contains("[\"chip_203_335\",\"14SPJ\",[[", html);
        Assert.Equal(html, AoiPickerPage.Render(f.Grid.Chips.Reverse(), tiles));   // deterministic
    }

    private sealed record Pixel(double X, double Y);

    private static async Task<Pixel> PixelOf(HeadlessChromium b, double lon, double lat)
    {
        var p = (await b.EvalAsync($$"""
            (() => { const m = window.aoiPicker.map; const pt = m.latLngToContainerPoint([{{lat.ToString(System.Globalization.CultureInfo.InvariantCulture)}}, {{lon.ToString(System.Globalization.CultureInfo.InvariantCulture)}}]);
                     const r = m.getContainer().getBoundingClientRect(); return [r.left + pt.x, r.top + pt.y]; })()
            """))!.AsArray();
        return new Pixel(p[0]!.GetValue<double>(), p[1]!.GetValue<double>());
    }

    private static async Task<Pixel> CenterOf(HeadlessChromium b, string selector)
    {
        var p = (await b.EvalAsync($"(() => {{ const r = document.querySelector('{selector}').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()"))!.AsArray();
        return new Pixel(p[0]!.GetValue<double>(), p[1]!.GetValue<double>());
    }

    private static async Task<string> DownloadAsync(HeadlessChromium b, string dir)
    {
        var file = Path.Combine(dir, "aoi.geojson");
        if (File.Exists(file)) File.Delete(file);
        var c = await CenterOf(b, "#download");
        await b.ClickAsync(c.X, c.Y);
        for (var i = 0; i < 100; i++)
        {
            if (File.Exists(file) && !Directory.EnumerateFiles(dir, "*.crdownload").Any()) return file;
            await Task.Delay(100);
        }
        throw new TimeoutException("the page's download did not reach " + dir);
    }

    [Fact]
    public async Task Drawing_and_clicking_in_headless_chromium_exports_aoi_files_the_reader_accepts()
    {
        using var tmp = new TempDir();
        IReadOnlyList<ChipTile> tiles;
        lock (f.Lock) tiles = f.Assigner.Assign(f.Grid.Chips);
        var page = tmp.File("picker.html");
        AoiPickerPage.Write(page, f.Grid.Chips, tiles);
        var downloads = Directory.CreateDirectory(tmp.File("downloads")).FullName;

        await using var b = await HeadlessChromium.StartAsync(tmp.File("profile"));
        await b.SendAsync("Page.setDownloadBehavior", new { behavior = "allow", downloadPath = downloads });
        await b.NavigateAsync(new Uri(page).AbsoluteUri);
        await b.WaitForAsync("window.aoiPicker && window.aoiPicker.ready", TimeSpan.FromSeconds(60));
        Assert.Equal(5000, await b.EvalAsync<int>("window.aoiPicker.chips"));
        // The test browser resolves no host, so the basemap probe must fail and the page say so.
        await b.WaitForAsync("document.getElementById('status').textContent.startsWith('offline')", TimeSpan.FromSeconds(30));

        // 1. A rectangle dragged with the Leaflet.draw tool over the Kansas reference chips.
        await b.EvalAsync("window.aoiPicker.map.fitBounds([[39.10, -97.45], [39.45, -96.80]], { animate: false }), true");
        var tool = await CenterOf(b, ".leaflet-draw-draw-rectangle");
        await b.ClickAsync(tool.X, tool.Y);
        var a = await PixelOf(b, -97.26, 39.33);
        var z = await PixelOf(b, -96.98, 39.22);
        await b.DragAsync(a.X, a.Y, z.X, z.Y);
        await b.WaitForAsync("window.aoiPicker.shapes() === 1", TimeSpan.FromSeconds(10));
        var pageIds = (await b.EvalAsync("window.aoiPicker.selectedIds()"))!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        log.WriteLine($"rectangle selects {pageIds.Count} chips in the page: {string.Join(' ', pageIds)}");
        var file = await DownloadAsync(b, downloads);
        var doc = AoiDocument.Read(file);
        Assert.False(doc.IsChipPayload);
        var rect = doc.Polygons4326!.EnvelopeInternal;
        Assert.InRange(rect.MinX, -97.27, -97.25);
        Assert.InRange(rect.MaxY, 39.32, 39.34);
        var readerIds = AoiSelector.Select(f.Grid, doc).Ids.ToList();
        Assert.Equal(readerIds, pageIds);
        Assert.Contains("chip_203_335", readerIds);
        Assert.Contains("chip_202_336", readerIds);
        Assert.Contains("chip_203_337", readerIds);

        // 2. Clicking chips (one inside the rectangle is already selected; add two outside it) makes a chip payload.
        var c1 = f.Grid["chip_200_323"].Center4326;
        await b.EvalAsync($"window.aoiPicker.map.fitBounds([[39.0, -98.4], [39.7, -96.8]], {{ animate: false }}), true");
        var p1 = await PixelOf(b, c1.X, c1.Y);
        await b.ClickAsync(p1.X, p1.Y);
        await b.WaitForAsync("window.aoiPicker.selectedIds().includes('chip_200_323')", TimeSpan.FromSeconds(10));
        var c2 = f.Grid["chip_196_333"].Center4326;
        var p2 = await PixelOf(b, c2.X, c2.Y);
        await b.ClickAsync(p2.X, p2.Y);
        await b.WaitForAsync("window.aoiPicker.selectedIds().includes('chip_196_333')", TimeSpan.FromSeconds(10));
        file = await DownloadAsync(b, downloads);
        doc = AoiDocument.Read(file);
        Assert.True(doc.IsChipPayload);
        var expected = readerIds.Append("chip_200_323").Append("chip_196_333").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, AoiSelector.Select(f.Grid, doc).Ids);

        // 3. Clear, then a polygon clicked vertex by vertex and closed on its first vertex.
        var clear = await CenterOf(b, "#clear");
        await b.ClickAsync(clear.X, clear.Y);
        Assert.Equal(0, await b.EvalAsync<int>("window.aoiPicker.selectedIds().length"));
        var poly = await CenterOf(b, ".leaflet-draw-draw-polygon");
        await b.ClickAsync(poly.X, poly.Y);
        var vertices = new[] { (-98.2, 39.2), (-97.0, 39.25), (-97.3, 39.6), (-98.0, 39.55) };
        foreach (var (lon, lat) in vertices.Append(vertices[0]))
        {
            var v = await PixelOf(b, lon, lat);
            await b.ClickAsync(v.X, v.Y);
            await Task.Delay(150);   // Leaflet.draw ignores a second click inside its double-click window
        }
        await b.WaitForAsync("window.aoiPicker.shapes() === 1", TimeSpan.FromSeconds(10));
        pageIds = (await b.EvalAsync("window.aoiPicker.selectedIds()"))!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        file = await DownloadAsync(b, downloads);
        doc = AoiDocument.Read(file);
        Assert.False(doc.IsChipPayload);
        Assert.Equal(5, doc.Polygons4326!.Coordinates.Length);
        readerIds = AoiSelector.Select(f.Grid, doc).Ids.ToList();
        log.WriteLine($"polygon selects {readerIds.Count} chips");
        Assert.True(readerIds.Count >= 5, $"the polygon selected only {readerIds.Count} chips");
        Assert.Equal(readerIds, pageIds);

        Assert.True(b.Errors.IsEmpty, "page errors: " + string.Join("\n", b.Errors));
    }
}
