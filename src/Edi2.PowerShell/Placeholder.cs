namespace Edi2.PowerShell { internal static class Placeholder { } }
