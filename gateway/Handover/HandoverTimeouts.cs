namespace TixTrigger.Gateway.Handover;

/// <summary>How long each step may take before the waiting side gives up: a hung peer costs seconds, never a hang.</summary>
internal static class HandoverTimeouts
{
    /// <summary>Reaching the running gateway's rendezvous socket (local: instant when it is alive).</summary>
    public static readonly TimeSpan Connect = TimeSpan.FromSeconds(2);

    /// <summary>The successor's hello, once connected.</summary>
    public static readonly TimeSpan Hello = TimeSpan.FromSeconds(5);

    /// <summary>The running gateway's answer with its sockets (it goes on receiving and pinging meanwhile).</summary>
    public static readonly TimeSpan Sockets = TimeSpan.FromSeconds(5);

    /// <summary>The successor building and starting its host before it asks for the clients (slow on a busy host).</summary>
    public static readonly TimeSpan WantClients = TimeSpan.FromSeconds(30);

    /// <summary>Each further message (the clients' snapshot can be tens of MiB at a million clients).</summary>
    public static readonly TimeSpan Message = TimeSpan.FromSeconds(10);

    /// <summary>The successor restoring the clients until it is ready to ping; past it the old process resumes.</summary>
    public static readonly TimeSpan Ready = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How far ahead the old process puts the cut-over when the successor is ready: time for the message to
    /// reach it. Later than that, the successor's first slots leave late by the difference; never twice.
    /// </summary>
    public static readonly TimeSpan CutOverLead = TimeSpan.FromMilliseconds(30);

    /// <summary>The old process's last slot and stop, after the cut-over.</summary>
    public static readonly TimeSpan Done = TimeSpan.FromSeconds(10);
}
