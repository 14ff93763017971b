namespace CropData.Graph;

/// <summary>A plain task: no units, no stamps; it runs whenever it is reached and <see cref="ShouldRun"/> is true.</summary>
public abstract class FrostingTask<TContext> : IHostedTask where TContext : BuildContext
{
    public virtual bool ShouldRun(TContext context) => true;
    public virtual void Run(TContext context) { }
    public virtual Task RunAsync(TContext context) { Run(context); return Task.CompletedTask; }

    /// <summary>Called when the task failed (its exception or a unit task's planning error).</summary>
    public virtual void OnError(Exception exception, TContext context) { }

    /// <summary>Called after the task ran, whether it failed or not.</summary>
    public virtual void Finally(TContext context) { }

    Type IHostedTask.ContextType => typeof(TContext);
    bool IHostedTask.ShouldRun(BuildContext context) => ShouldRun((TContext)context);
    Task IHostedTask.RunAsync(BuildContext context) => RunAsync((TContext)context);
    void IHostedTask.OnError(Exception exception, BuildContext context) => OnError(exception, (TContext)context);
    void IHostedTask.Finally(BuildContext context) => Finally((TContext)context);
}

/// <summary>Cake Frosting's async flavour; override <see cref="FrostingTask{TContext}.RunAsync"/>.</summary>
public abstract class AsyncFrostingTask<TContext> : FrostingTask<TContext> where TContext : BuildContext
{
    public override Task RunAsync(TContext context) => Task.CompletedTask;
}

internal interface IHostedTask
{
    Type ContextType { get; }
    bool ShouldRun(BuildContext context);
    Task RunAsync(BuildContext context);
    void OnError(Exception exception, BuildContext context);
    void Finally(BuildContext context);
}
