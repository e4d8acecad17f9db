using System;
using System.IO;
using System.Text;
using System.Xml;

namespace Edi2.Api
{
    /// <summary>
    /// A business document to send: a file or bytes. <see cref="Validate"/> enforces what EDI 2.0 accepts before any
    /// request is made: at most 35 MB, well-formed XML in UTF-8.
    /// </summary>
    public sealed class Edi2Document
    {
        /// <summary>NHN's limit: an EDI mail holds 51,200,000 bytes, and base64 and MIME make a document about 40 % larger.</summary>
        public const long MaxBytes = 35_000_000;

        private readonly string? _path;
        private readonly byte[]? _bytes;

        private Edi2Document(string? path, byte[]? bytes, string name)
        {
            _path = path;
            _bytes = bytes;
            Name = name;
        }

        /// <summary>The file path, or "content" for bytes given directly.</summary>
        public string Name { get; }

        public long Length => _bytes?.LongLength ?? new FileInfo(_path!).Length;

        public static Edi2Document FromFile(string path)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"The document '{path}' does not exist.", path);
            return new Edi2Document(Path.GetFullPath(path), null, path);
        }

        public static Edi2Document FromBytes(byte[] content) => new Edi2Document(null, content, "content");

        public static Edi2Document FromString(string xml) => FromBytes(new UTF8Encoding(false).GetBytes(xml));

        /// <summary>A new stream over the document for each send attempt.</summary>
        public Stream Open() =>
            _bytes != null
                ? new MemoryStream(_bytes, writable: false)
                : new FileStream(_path!, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);

        /// <summary>Throws <see cref="Edi2ApiException"/> (InvalidDocument) unless the document is small enough and well-formed UTF-8 XML.</summary>
        public void Validate()
        {
            long length = Length;
            if (length > MaxBytes)
            {
                throw Invalid($"is {length:N0} bytes; EDI 2.0 accepts at most {MaxBytes:N0} bytes (35 MB).");
            }
            if (length == 0) throw Invalid("is empty.");

            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, CloseInput = true };
            try
            {
                // A strict decoder: a byte that is not UTF-8 is an error, not a replacement character.
                using (var text = new StreamReader(Open(), new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false))
                using (var reader = XmlReader.Create(text, settings))
                {
                    while (reader.Read())
                    {
                        if (reader.NodeType == XmlNodeType.XmlDeclaration)
                        {
                            string? encoding = reader.GetAttribute("encoding");
                            if (encoding != null && !encoding.Equals("UTF-8", StringComparison.OrdinalIgnoreCase))
                            {
                                throw Invalid($"declares encoding=\"{encoding}\"; EDI 2.0 needs UTF-8 (encoding=\"UTF-8\").");
                            }
                        }
                    }
                }
            }
            catch (XmlException e)
            {
                throw Invalid($"is not well-formed XML: {e.Message}", e);
            }
            catch (DecoderFallbackException e)
            {
                throw Invalid("is not UTF-8: it holds bytes that are not valid UTF-8. Save it as UTF-8.", e);
            }
        }

        private Edi2ApiException Invalid(string problem, Exception? inner = null) =>
            new Edi2ApiException(ApiErrorReason.InvalidDocument, $"The document {(_path is null ? "" : $"'{Name}' ")}{problem} Nothing was sent.",
                Name, innerException: inner);
    }
}
