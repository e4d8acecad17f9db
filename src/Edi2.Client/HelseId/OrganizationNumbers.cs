using System;
using System.Text.RegularExpressions;

namespace Edi2.HelseId
{
    /// <summary>
    /// Organisation numbers a client names in its client assertion (HelseID <c>assertion_details</c>, spec 2.4):
    /// the parent for a multi-tenant client, the child unit (underenhet) for either kind.
    /// </summary>
    public sealed class OrganizationNumbers
    {
        private static readonly Regex NineDigits = new Regex("^[0-9]{9}$", RegexOptions.CultureInvariant);

        public OrganizationNumbers(string? parent, string? child)
        {
            Parent = Validate(parent, "parent");
            Child = Validate(child, "child");
        }

        public string? Parent { get; }

        public string? Child { get; }

        public bool IsEmpty => Parent is null && Child is null;

        public override string ToString() => IsEmpty ? "(none)" : $"parent {Parent ?? "-"}, child {Child ?? "-"}";

        private static string? Validate(string? number, string role)
        {
            if (string.IsNullOrWhiteSpace(number)) return null;
            string trimmed = number!.Trim();
            if (!NineDigits.IsMatch(trimmed))
            {
                throw new ArgumentException($"The {role} organisation number '{trimmed}' is not nine digits.", role == "parent" ? "ParentOrganizationNumber" : "ChildOrganizationNumber");
            }
            return trimmed;
        }
    }
}
