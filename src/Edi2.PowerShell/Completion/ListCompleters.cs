using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Edi2.HelseId;

namespace Edi2.PowerShell.Completion
{
    /// <summary>Completes a fixed list from the engine, as PowerShell completes a [ValidateSet] (prefix, any case, in list order).</summary>
    public abstract class ListCompleter : IArgumentCompleter
    {
        private readonly IReadOnlyList<string> _values;

        protected ListCompleter(IReadOnlyList<string> values) => _values = values;

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = CompletionSupport.Word(wordToComplete);
            return _values.Where(v => v.StartsWith(word, StringComparison.OrdinalIgnoreCase)).Select(v => CompletionSupport.Result(v, v)).ToList();
        }
    }

    /// <summary>Connect-Edi2 -Algorithm: HelseID's allowlist.</summary>
    public sealed class SigningAlgorithmCompleter : ListCompleter
    {
        public SigningAlgorithmCompleter() : base(SigningAlgorithms.Allowed) { }
    }

    /// <summary>New-Edi2ClientKey -Algorithm: what a new key may be made for.</summary>
    public sealed class NewKeyAlgorithmCompleter : ListCompleter
    {
        public NewKeyAlgorithmCompleter() : base(SigningAlgorithms.ForNewKeys) { }
    }
}
