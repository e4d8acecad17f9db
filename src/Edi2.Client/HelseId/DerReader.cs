using System;
using System.Text;

namespace Edi2.HelseId
{
    /// <summary>
    /// A minimal forward-only DER reader for the handful of ASN.1 types in key files
    /// (netstandard2.0 has no System.Formats.Asn1). Malformed input throws <see cref="FormatException"/>
    /// whose message never quotes the data.
    /// </summary>
    internal sealed class DerReader
    {
        public const byte Integer = 0x02, BitString = 0x03, OctetString = 0x04, Null = 0x05, ObjectIdentifier = 0x06, Sequence = 0x30;

        private readonly byte[] _data;
        private readonly int _end;
        private int _pos;

        public DerReader(byte[] data) : this(data, 0, data.Length) { }

        private DerReader(byte[] data, int start, int end)
        {
            _data = data;
            _pos = start;
            _end = end;
        }

        public bool HasData => _pos < _end;

        /// <summary>The next tag byte, or -1 at the end.</summary>
        public int PeekTag() => HasData ? _data[_pos] : -1;

        public DerReader ReadSequence() => ReadConstructed(Sequence);

        /// <summary>Reads an explicit context-specific tag [n] and returns a reader over its contents.</summary>
        public DerReader ReadExplicit(int tagNumber) => ReadConstructed((byte)(0xA0 | tagNumber));

        /// <summary>The raw two's-complement content of an INTEGER (a copy).</summary>
        public byte[] ReadInteger()
        {
            var (start, length) = ReadElement(Integer);
            if (length == 0) throw new FormatException("Empty INTEGER.");
            return Copy(start, length);
        }

        /// <summary>A non-negative INTEGER that fits in an int (versions, iteration counts, key lengths).</summary>
        public int ReadSmallInteger()
        {
            var (start, length) = ReadElement(Integer);
            if (length == 0 || length > 4 || (_data[start] & 0x80) != 0 || (length == 4 && _data[start] > 0x7F))
                throw new FormatException("INTEGER out of range.");
            int value = 0;
            for (int i = 0; i < length; i++) value = (value << 8) | _data[start + i];
            return value;
        }

        public byte[] ReadOctetString()
        {
            var (start, length) = ReadElement(OctetString);
            return Copy(start, length);
        }

        /// <summary>The bytes of a BIT STRING with no unused bits (keys are always whole bytes).</summary>
        public byte[] ReadBitString()
        {
            var (start, length) = ReadElement(BitString);
            if (length == 0 || _data[start] != 0) throw new FormatException("BIT STRING with unused bits.");
            return Copy(start + 1, length - 1);
        }

        public void ReadNull()
        {
            if (ReadElement(Null).Length != 0) throw new FormatException("NULL with content.");
        }

        /// <summary>Dotted-decimal form of an OBJECT IDENTIFIER.</summary>
        public string ReadOid()
        {
            var (start, length) = ReadElement(ObjectIdentifier);
            if (length == 0) throw new FormatException("Empty OBJECT IDENTIFIER.");
            var text = new StringBuilder();
            ulong arc = 0;
            bool first = true;
            for (int i = start; i < start + length; i++)
            {
                if (arc > (ulong.MaxValue >> 8)) throw new FormatException("OBJECT IDENTIFIER arc too large.");
                arc = (arc << 7) | (uint)(_data[i] & 0x7F);
                if ((_data[i] & 0x80) != 0)
                {
                    if (i == start + length - 1) throw new FormatException("Truncated OBJECT IDENTIFIER.");
                    continue;
                }
                if (first)
                {
                    // The first encoded arc packs the first two: 40 * X + Y.
                    ulong top = Math.Min(arc / 40, 2);
                    text.Append(top).Append('.').Append(arc - top * 40);
                    first = false;
                }
                else
                {
                    text.Append('.').Append(arc);
                }
                arc = 0;
            }
            return text.ToString();
        }

        /// <summary>Skips one element of any type.</summary>
        public void Skip() => ReadElement(null);

        /// <summary>Trailing bytes mean the structure is not what we think it is.</summary>
        public void ThrowIfNotEmpty()
        {
            if (HasData) throw new FormatException("Unexpected data after the end of a structure.");
        }

        private DerReader ReadConstructed(byte tag)
        {
            var (start, length) = ReadElement(tag);
            return new DerReader(_data, start, start + length);
        }

        private (int Start, int Length) ReadElement(byte? expectedTag)
        {
            if (_end - _pos < 2) throw new FormatException("Truncated DER data.");
            byte tag = _data[_pos];
            if ((tag & 0x1F) == 0x1F) throw new FormatException("Multi-byte DER tags are not used in key files.");
            if (expectedTag.HasValue && tag != expectedTag.Value)
                throw new FormatException($"Expected DER tag 0x{expectedTag.Value:X2} but found 0x{tag:X2}.");

            int pos = _pos + 1;
            int length = _data[pos++];
            if (length >= 0x80)
            {
                // Long form; 0x80 alone would be BER's indefinite length, which DER forbids.
                int count = length & 0x7F;
                if (count == 0 || count > 4 || _end - pos < count) throw new FormatException("Bad DER length.");
                length = 0;
                for (int i = 0; i < count; i++)
                {
                    if (length > 0x7FFFFF) throw new FormatException("Bad DER length.");
                    length = (length << 8) | _data[pos++];
                }
            }
            if (length > _end - pos) throw new FormatException("Truncated DER data.");
            _pos = pos + length;
            return (pos, length);
        }

        private byte[] Copy(int start, int length)
        {
            var copy = new byte[length];
            Buffer.BlockCopy(_data, start, copy, 0, length);
            return copy;
        }
    }
}
