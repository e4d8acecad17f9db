using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Edi2.Api
{
    /// <summary>
    /// A response body that gives up when no bytes arrive for <see cref="RetryPolicy.BodyTimeout"/>: the request timeout
    /// ends when the headers arrive, and a server or proxy that then stalls would otherwise hold a download (and a receive
    /// run's state lock) for as long as the connection stays open. A stall throws <see cref="Edi2ApiException"/> (Timeout).
    /// <para>
    /// The timer disposes the inner stream rather than cancelling the read: .NET Framework's response stream does not
    /// always honour a cancellation token, but every platform ends a pending read when its stream is disposed. One timer
    /// is re-armed per read (no allocation per read: 35 MB downloads stay cheap).
    /// </para>
    /// </summary>
    internal sealed class BodyTimeoutStream : Stream
    {
        private readonly Stream _inner;
        private readonly TimeSpan _timeout;
        private readonly HttpMethod _method;
        private readonly Uri _uri;
        private readonly object? _target;
        private readonly CancellationTokenSource _timer = new CancellationTokenSource();
        private readonly CancellationTokenRegistration _onStall;
        private long _received;
        private volatile bool _stalled;

        public BodyTimeoutStream(Stream inner, TimeSpan timeout, HttpMethod method, Uri uri, object? target)
        {
            if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The body timeout must be positive.");
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            _timeout = timeout;
            _method = method;
            _uri = uri;
            _target = target;
            _onStall = _timer.Token.Register(state => ((BodyTimeoutStream)state!).Stall(), this);
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _received;
            set => throw new NotSupportedException();
        }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_stalled) throw Stalled(null);
            _timer.CancelAfter(_timeout);
            int read;
            try
            {
                read = await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (_stalled && !cancellationToken.IsCancellationRequested)
            {
                throw Stalled(e);
            }
            finally
            {
                if (!_stalled) _timer.CancelAfter(Timeout.InfiniteTimeSpan);
            }
            // The timer may have fired just as the read finished: the inner stream is gone, so the rest would be lost anyway.
            if (_stalled) throw Stalled(null);
            _received += read;
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _onStall.Dispose();
                _timer.Dispose();
                _inner.Dispose();
            }
            base.Dispose(disposing);
        }

        private void Stall()
        {
            _stalled = true;
            try
            {
                _inner.Dispose();
            }
            catch (Exception e) when (e is IOException || e is ObjectDisposedException || e is HttpRequestException)
            {
                // it is being torn down anyway
            }
        }

        private Edi2ApiException Stalled(Exception? inner) =>
            new Edi2ApiException(ApiErrorReason.Timeout,
                $"EDI 2.0 {_method} {_uri.GetLeftPart(UriPartial.Path)} sent no bytes for {_timeout.TotalSeconds:0.#} s in the middle of its answer " +
                $"(after {_received} bytes), so it was given up. A server or proxy stalled; try again, or give Connect-Edi2 a longer -BodyTimeout.",
                _target ?? _uri.ToString(), innerException: inner);
    }
}
