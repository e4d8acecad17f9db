using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;
using Edi2;
using Microsoft.IdentityModel.Tokens;

// Each sample is named for what it shows; CmdletRuleTests says which findings each one must produce.
namespace Edi2.PowerShell.TestFixture
{
    public abstract class SampleSessionCmdlet : PSCmdlet
    {
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public Edi2Session? Session { get; set; }
    }

    /// <summary>Follows every rule: two parameter sets with a default, an inherited -Session, a cmdlet alias.</summary>
    [Cmdlet(VerbsCommon.Get, "Edi2Widget", DefaultParameterSetName = "ById")]
    [OutputType(typeof(Edi2Session))]
    [Alias("Get-Edi2Gadget")]
    public sealed class GetEdi2WidgetCommand : SampleSessionCmdlet
    {
        [Parameter(ParameterSetName = "ById", Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        public Guid Id { get; set; }

        [Parameter(ParameterSetName = "ByName", Mandatory = true)]
        [Alias("WidgetName")]
        public string Name { get; set; } = "";
    }

    /// <summary>State-changing verb without ShouldProcess, and no OutputType.</summary>
    [Cmdlet(VerbsCommon.Remove, "Edi2Widget")]
    public sealed class RemoveEdi2WidgetCommand : PSCmdlet
    {
        [Parameter(Mandatory = true)]
        public Guid Id { get; set; }
    }

    /// <summary>Not an approved verb.</summary>
    [Cmdlet("Frobnicate", "Edi2Widget")]
    [OutputType(typeof(string))]
    public sealed class FrobnicateEdi2WidgetCommand : PSCmdlet
    {
    }

    /// <summary>
    /// Parameter sets PowerShell cannot resolve: A and B share no mandatory parameter and there is no default, so a call
    /// with no parameters matches both. Two parameters at position 0 in set A. An alias that is a common parameter's
    /// (ea = ErrorAction). A -Session that does not bind by property name.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "Edi2Widget", SupportsShouldProcess = true)]
    [OutputType(typeof(string))]
    public sealed class SetEdi2WidgetCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "A", Position = 0)]
        public string? Alpha { get; set; }

        [Parameter(ParameterSetName = "A", Position = 0)]
        [Alias("ea")]
        public string? AlsoFirst { get; set; }

        [Parameter(ParameterSetName = "B")]
        public string? Beta { get; set; }

        [Parameter]
        public Edi2Session? Session { get; set; }
    }

    /// <summary>Two sets whose only mandatory parameters are a string at position 0 each, and no default set.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "Edi2Widget")]
    [OutputType(typeof(bool))]
    public sealed class TestEdi2WidgetCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "Path", Mandatory = true, Position = 0)]
        public string Path { get; set; } = "";

        [Parameter(ParameterSetName = "LiteralPath", Mandatory = true, Position = 0)]
        public string LiteralPath { get; set; } = "";
    }

    /// <summary>A SURFACE cmdlet without -ReceiverHerId, and an -Id that takes nothing from the pipeline.</summary>
    [Cmdlet(VerbsLifecycle.Confirm, "Edi2Message", SupportsShouldProcess = true)]
    [OutputType(typeof(void))]
    public sealed class ConfirmEdi2MessageCommand : SampleSessionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        public Guid Id { get; set; }
    }

    /// <summary>A SURFACE cmdlet with all its parameters but the wrong ConfirmImpact.</summary>
    [Cmdlet(VerbsCommon.Remove, "Edi2Reservation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveEdi2ReservationCommand : SampleSessionCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public int[] HerId { get; set; } = Array.Empty<int>();

        [Parameter]
        public SwitchParameter DeleteConfiguration { get; set; }

        [Parameter]
        public string? LedgerPath { get; set; }
    }

    /// <summary>A SURFACE cmdlet whose -First comes from SupportsPaging rather than a declared parameter.</summary>
    [Cmdlet(VerbsCommon.Get, "Edi2Notification", SupportsPaging = true)]
    [OutputType(typeof(string))]
    public sealed class GetEdi2NotificationCommand : SampleSessionCmdlet
    {
        [Parameter(Mandatory = true)]
        public int[] HerId { get; set; } = Array.Empty<int>();

        [Parameter]
        public long Offset { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        public TimeSpan? Timeout { get; set; }
    }

    /// <summary>Public types that expose isolated assemblies' types in every way the surface check looks at.</summary>
    public sealed class LeakyProperty
    {
        public SecurityKey? Key { get; set; }
    }

    public sealed class LeakyMethod
    {
        public List<JsonDocument> Parse(string text) => new List<JsonDocument> { JsonDocument.Parse(text) };
    }

    public abstract class LeakyBase : System.Text.Json.Serialization.JsonConverterFactory
    {
    }

    [OutputType(typeof(JsonElement))]
    public sealed class LeakyAttribute
    {
    }

    /// <summary>Uses isolated types only inside: allowed.</summary>
    public sealed class NotLeaky
    {
        public int Count(string json)
        {
            using (JsonDocument document = JsonDocument.Parse(json)) return document.RootElement.GetArrayLength();
        }

        internal SecurityKey? Hidden { get; set; }
    }
}

namespace Edi2.PowerShell.TestFixture
{
    /// <summary>A noun without the module's prefix.</summary>
    [Cmdlet(VerbsCommon.Get, "Gadget")]
    [OutputType(typeof(string))]
    public sealed class GetGadgetCommand : PSCmdlet
    {
    }

    /// <summary>Not public: PowerShell would never export it.</summary>
    [Cmdlet(VerbsCommon.Get, "Edi2Hidden")]
    [OutputType(typeof(string))]
    internal sealed class GetEdi2HiddenCommand : PSCmdlet
    {
    }
}
