using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Edi2.Client.Tests;

/// <summary>
/// A bare HTTP/1.1 server on another loopback port, on a plain TcpListener so that it sees every connection, even one
/// that sends nothing a web framework would route: a capture server (did anything reach it?) or a server with canned
/// answers (a redirect, a discovery document pointing elsewhere). Each connection gets one answer and is closed.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, string, (int Status, string Headers, string Body)> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;
    private readonly List<string> _requests = new();

    /// <param name="answer">(method, path) to (status, extra header lines each ending in CRLF, body); 200 and no body if null.</param>
    public LoopbackHttpServer(Func<string, string, (int Status, string Headers, string Body)>? answer = null)
    {
        _answer = answer ?? ((_, _) => (200, "", ""));
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public Uri BaseUri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public int Port => BaseUri.Port;

    /// <summary>Connections accepted so far (a connection that sent nothing counts too).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The request heads received, as text (request line and headers).</summary>
    public IReadOnlyList<string> Requests
    {
        get { lock (_requests) return _requests.ToList(); }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                string head = await ReadHeadAsync(stream);
                lock (_requests) _requests.Add(head);
                string[] requestLine = head.Split("\r\n")[0].Split(' ');
                if (requestLine.Length < 2) return;
                var (status, headers, body) = _answer(requestLine[0], requestLine[1]);
                byte[] content = Encoding.UTF8.GetBytes(body);
                string response = $"HTTP/1.1 {status} Canned\r\n{headers}Content-Length: {content.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
                await stream.WriteAsync(content);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n"))
        {
            int read = await stream.ReadAsync(buffer);
            if (read == 0) break;
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        string text = head.ToString();
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return end < 0 ? text : text.Substring(0, end);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
