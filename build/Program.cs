using CropData.Build.Context;
using CropData.Graph;

// The task host: every class under Tasks/ is a stage (Cake-Frosting-shaped); BuildHost discovers them,
// parses --target/--dryrun/--force/... and runs the graph incrementally.
return await BuildHost.RunAsync(args, options => new DatasetContext(options), typeof(DatasetContext).Assembly);
