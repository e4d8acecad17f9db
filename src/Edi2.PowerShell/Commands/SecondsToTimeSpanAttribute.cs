using System;
using System.Management.Automation;

namespace Edi2.PowerShell.Commands
{
    /// <summary>
    /// Lets a TimeSpan parameter take a plain number as seconds: PowerShell would otherwise read <c>-LockTimeout 30</c> as
    /// 30 ticks (3 microseconds).
    /// </summary>
    public sealed class SecondsToTimeSpanAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case int i: return TimeSpan.FromSeconds(i);
                case long l: return TimeSpan.FromSeconds(l);
                case double d: return TimeSpan.FromSeconds(d);
                case decimal m: return TimeSpan.FromSeconds((double)m);
                default: return inputData;
            }
        }
    }
}
