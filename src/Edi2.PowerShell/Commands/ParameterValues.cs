using System.Management.Automation;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// What an <c>[object]</c> parameter really holds. PowerShell hands such a parameter a PSObject when the value came
    /// out of a function, a pipeline or Get-Content (<c>$x = &amp; { ... }</c>, <c>[psobject]$x</c>, a line with its PSPath
    /// note properties): a byte[] or string in that wrapper is no byte[] or string to <c>is</c>. Every cmdlet looks at
    /// the value through <see cref="Unwrap"/> before it looks at its type.
    /// </summary>
    internal static class ParameterValues
    {
        /// <summary>
        /// The object inside any PSObject wrappers. A PSCustomObject stays wrapped: its properties live in the wrapper,
        /// and the bare PSCustomObject has none.
        /// </summary>
        public static object? Unwrap(object? value)
        {
            while (value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) && !ReferenceEquals(wrapped.BaseObject, wrapped))
            {
                value = wrapped.BaseObject;
            }
            return value;
        }
    }
}
