using System;

namespace Edi2.FakeNhn.HelseId;

/// <summary>One queued fake failure of the token endpoint.</summary>
internal sealed record InjectedFault(int StatusCode, string Body, string ContentType, TimeSpan Delay, bool IncludeNonce);
