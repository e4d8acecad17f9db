namespace Edi2.Workflows
{
    public enum ReceiveEventKind
    {
        /// <summary>A message is on disk (downloaded now, or kept from an earlier run) and, normally, marked downloaded.</summary>
        Saved,
        /// <summary>A notification other than NewMessage (only with <see cref="ReceiveOptions.IncludeOtherNotifications"/>).</summary>
        Other,
        /// <summary>A NewMessage that could not be handled and was passed over (the message is gone); see <see cref="ReceiveEvent.Message"/>.</summary>
        Skipped,
        /// <summary>Counters after each notification.</summary>
        Progress,
    }
}
