using System;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Edi2.FakeNhn.HelseId;

/// <summary>
/// DPoP server nonces (RFC 9449 §8), modelled on Duende: the nonce is a protected creation time.
/// Here that is creation time + random bytes + an HMAC under a per-process key, so nonces are opaque,
/// cannot be forged, and stay reusable for their whole lifetime (they are not single-use).
/// The purpose keeps nonces of different issuers apart (a resource-server nonce is no HelseID nonce).
/// When <c>onlyNewest</c> says so, only the nonce made last is valid: a server that rotates its nonce on every answer.
/// </summary>
internal sealed class NonceService
{
    private const byte FormatVersion = 1;
    private const int PayloadLength = 1 + 8 + 8; // version, unix seconds, random
    private const int MacLength = 32;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _purpose;
    private readonly FakeClock _clock;
    private readonly Func<TimeSpan> _lifetime;
    private readonly Func<bool> _onlyNewest;
    private volatile string? _newest;

    public NonceService(string purpose, FakeClock clock, Func<TimeSpan> lifetime, Func<bool>? onlyNewest = null)
    {
        _purpose = Encoding.UTF8.GetBytes(purpose);
        _clock = clock;
        _lifetime = lifetime;
        _onlyNewest = onlyNewest ?? (() => false);
    }

    public string Create()
    {
        var token = new byte[PayloadLength + MacLength];
        token[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(token.AsSpan(1, 8), _clock.UnixSeconds);
        RandomNumberGenerator.Fill(token.AsSpan(9, 8));
        Mac(token.AsSpan(0, PayloadLength)).CopyTo(token.AsSpan(PayloadLength));
        var nonce = Base64Url.EncodeToString(token);
        _newest = nonce;
        return nonce;
    }

    /// <summary>True when the nonce was made by this service and is not older than the lifetime (nor from the future).</summary>
    public bool IsValid(string? nonce)
    {
        if (string.IsNullOrEmpty(nonce) || nonce.Length > 200 || (_onlyNewest() && nonce != _newest))
        {
            return false;
        }

        byte[] token;
        try
        {
            token = Base64Url.DecodeFromChars(nonce);
        }
        catch (FormatException)
        {
            return false;
        }

        if (token.Length != PayloadLength + MacLength || token[0] != FormatVersion)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(Mac(token.AsSpan(0, PayloadLength)), token.AsSpan(PayloadLength)))
        {
            return false;
        }

        var created = BinaryPrimitives.ReadInt64BigEndian(token.AsSpan(1, 8));
        var now = _clock.UnixSeconds;
        return created <= now && now <= created + (long)_lifetime().TotalSeconds;
    }

    private byte[] Mac(ReadOnlySpan<byte> payload)
    {
        var input = new byte[_purpose.Length + 1 + payload.Length];
        _purpose.CopyTo(input, 0);
        payload.CopyTo(input.AsSpan(_purpose.Length + 1));
        return HMACSHA256.HashData(_key, input);
    }
}
