using System;
using System.Linq;
using System.Management.Automation;

namespace Edi2.PowerShell.Validation
{
    /// <summary>
    /// [ValidateSet] over a list the engine owns: the accepted values come as one comma-separated constant (an attribute
    /// takes constants only, and Windows PowerShell 5.1 has no IValidateSetValuesGenerator). Case-insensitive, with
    /// ValidateSet's message. PowerShell completes only a real ValidateSet, so pair it with an [ArgumentCompleter].
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateListAttribute : ValidateEnumeratedArgumentsAttribute
    {
        public ValidateListAttribute(string commaSeparatedValues)
        {
            ValidValues = (commaSeparatedValues ?? "").Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim()).ToArray();
        }

        public string[] ValidValues { get; }

        protected override void ValidateElement(object element)
        {
            string? text = element is PSObject wrapped ? wrapped.BaseObject?.ToString() : element?.ToString();
            if (text != null && ValidValues.Any(v => string.Equals(v, text, StringComparison.OrdinalIgnoreCase))) return;
            throw new ValidationMetadataException(
                $"The argument \"{text}\" does not belong to the set \"{string.Join(",", ValidValues)}\". Supply an argument that is in the set and then try the command again.");
        }
    }
}
