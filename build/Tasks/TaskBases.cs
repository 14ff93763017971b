using CropData.Build.Context;
using CropData.Graph;

namespace CropData.Build.Tasks;

/// <summary>A stage with one unit: aggregates over the whole dataset (split, stats tables, export, manifest).</summary>
public abstract class AggregateTask : UnitTask<DatasetContext, string>
{
    public const string Unit = "dataset";
    public override bool IsAggregate => true;
    public override IEnumerable<string> Units(DatasetContext context) => [Unit];
    public override string UnitId(string unit) => unit;
}
