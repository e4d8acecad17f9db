using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;

namespace Edi2.Workflows
{
    /// <summary>
    /// Items handed in one by one (a cmdlet's piped records) and read as an asynchronous sequence by engine work that runs
    /// meanwhile (<c>MessageFiles.SaveEachAsync</c>): an unbounded System.Threading.Channels channel, one writer, one reader.
    /// A type of the engine's own, because the cmdlets may not see an isolated assembly's types (the channel's).
    /// </summary>
    public sealed class AsyncFeed<T> : IDisposable
    {
        private readonly Channel<T> _channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        public void Add(T item)
        {
            if (!_channel.Writer.TryWrite(item)) throw new InvalidOperationException("The feed is complete.");
        }

        /// <summary>No more items: the reader ends once it has read those already added.</summary>
        public void Complete() => _channel.Writer.TryComplete();

        public IAsyncEnumerable<T> ReadAllAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAllAsync(cancellationToken);

        public void Dispose() => Complete();
    }
}
