namespace Edi2 { internal static class Placeholder { } }
