using System.Collections.Generic;

namespace Edi2.Model
{
    /// <summary>A v3 MSH configuration for one HER-id (PUT /mshconfigurations): how it receives, and whether it is reserved.</summary>
    public sealed class MshConfiguration
    {
        public int HerId { get; set; }

        /// <summary>"Api" (polling or SSE); "Kafka" is NHN-internal.</summary>
        public string ReceiveNotificationChannel { get; set; } = "Api";

        /// <summary>Reserve the HER-id for this HelseID client: other clients get 423 Locked.</summary>
        public bool ClientLocked { get; set; }

        /// <summary>Message types (FinnKode 8279) to refuse, under the filter key MessageFunction.</summary>
        public IList<string>? RejectMessageFunctions { get; set; }
    }
}
