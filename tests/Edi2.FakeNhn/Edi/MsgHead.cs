using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Edi2.FakeNhn.Edi;

/// <summary>What the fake reads from a business document: a KITH MsgHead or an AppRec. All parts optional.</summary>
internal sealed class BusinessDocumentInfo
{
    public static BusinessDocumentInfo None { get; } = new();

    public bool IsMsgHead { get; init; }

    public bool IsAppRec { get; init; }

    /// <summary>MsgInfo/MsgId (MsgHead) or Id (AppRec).</summary>
    public string? MsgId { get; init; }

    /// <summary>GenDate as Norwegian local time (an offset in the document is converted, none means local already).</summary>
    public DateTime? GenDateLocal { get; init; }

    /// <summary>MsgInfo/Type/@V, or "APPREC".</summary>
    public string? MsgType { get; init; }

    public int? SenderHerId { get; init; }

    public IReadOnlyList<int> ReceiverHerIds { get; init; } = [];
}

/// <summary>
/// Reads MsgHead (KITH msghead 2006-05-24) and AppRec (2004-11-21) documents by local element names, so any
/// namespace version works, and writes the small AppRec the fake MSH generates for POST .../apprec.
/// </summary>
internal static class MsgHead
{
    public const string AppRecNamespace = "http://www.kith.no/xmlstds/apprec/2004-11-21";

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
    };

    /// <summary>Never throws: a document that is not well-formed XML (or not a MsgHead/AppRec) gives <see cref="BusinessDocumentInfo.None"/>.</summary>
    public static BusinessDocumentInfo Read(byte[] document)
    {
        XElement root;
        try
        {
            using var stream = new MemoryStream(document, writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings);
            root = XElement.Load(reader);
        }
        catch (XmlException)
        {
            return BusinessDocumentInfo.None;
        }

        return root.Name.LocalName switch
        {
            "MsgHead" => ReadMsgHead(root),
            "AppRec" => ReadAppRec(root),
            _ => BusinessDocumentInfo.None,
        };
    }

    private static BusinessDocumentInfo ReadMsgHead(XElement root)
    {
        var info = Child(root, "MsgInfo");
        if (info is null)
        {
            return new BusinessDocumentInfo { IsMsgHead = true };
        }

        return new BusinessDocumentInfo
        {
            IsMsgHead = true,
            IsAppRec = string.Equals(Child(info, "Type")?.Attribute("V")?.Value, "APPREC", StringComparison.OrdinalIgnoreCase),
            MsgId = Child(info, "MsgId")?.Value.Trim(),
            GenDateLocal = ParseGenDate(Child(info, "GenDate")?.Value),
            MsgType = Child(info, "Type")?.Attribute("V")?.Value,
            SenderHerId = InnermostHerId(Child(info, "Sender")),
            ReceiverHerIds = Children(info, "Receiver").Select(InnermostHerId).OfType<int>().Distinct().ToArray(),
        };
    }

    private static BusinessDocumentInfo ReadAppRec(XElement root) => new()
    {
        IsAppRec = true,
        MsgId = Child(root, "Id")?.Value.Trim(),
        GenDateLocal = ParseGenDate(Child(root, "GenDate")?.Value),
        MsgType = "APPREC",
        SenderHerId = InnermostHerId(Child(root, "Sender")),
        ReceiverHerIds = InnermostHerId(Child(root, "Receiver")) is { } receiver ? [receiver] : [],
    };

    /// <summary>
    /// The communication party is the deepest level that has a HER-id: MsgHead puts it in
    /// Ident{Id, TypeId V="HER"} under Organisation / sub-Organisation / HealthcareProfessional; AppRec puts
    /// Id + TypeId V="HER" directly in Inst / Dept / HCPerson. Both are "an element with Id and a HER TypeId".
    /// </summary>
    private static int? InnermostHerId(XElement? party)
    {
        if (party is null)
        {
            return null;
        }

        var best = (Depth: -1, HerId: (int?)null);
        foreach (var holder in party.Descendants())
        {
            var typeId = Child(holder, "TypeId");
            if (typeId is null || !string.Equals(typeId.Attribute("V")?.Value, "HER", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!int.TryParse(Child(holder, "Id")?.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var herId))
            {
                continue;
            }

            var depth = holder.Ancestors().Count();
            if (depth > best.Depth)
            {
                best = (depth, herId);
            }
        }

        return best.HerId;
    }

    /// <summary>GenDate with an offset is converted to Norwegian time; without one it already is (KITH practice).</summary>
    private static DateTime? ParseGenDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 19 && text.IndexOfAny(['+', '-'], 19) >= 0);
        if (hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset))
        {
            return NorwegianTime.FromUtc(withOffset);
        }

        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? DateTime.SpecifyKind(local, DateTimeKind.Unspecified)
            : null;
    }

    /// <summary>The AppRec the MSH generates for POST .../apprec: status, errors and a reference to the original.</summary>
    public static byte[] CreateAppRec(
        Guid appRecId,
        DateTime genDateLocal,
        int senderHerId,
        int receiverHerId,
        string status,
        IReadOnlyList<AppRecErrorInfo> errors,
        string? originalMsgType,
        string? originalMsgId,
        DateTime? originalGenDate)
    {
        XNamespace ns = AppRecNamespace;
        var statusCode = status switch { "Ok" => "1", "Rejected" => "2", _ => "3" };
        var statusText = status switch { "Ok" => "OK", "Rejected" => "Avvist", _ => "OK, feil i delmelding" };
        var root = new XElement(ns + "AppRec",
            new XElement(ns + "MsgType", new XAttribute("V", "APPREC")),
            new XElement(ns + "MIGversion", "v1.0 2004-11-21"),
            new XElement(ns + "GenDate", NorwegianTime.Format(genDateLocal)),
            new XElement(ns + "Id", appRecId.ToString()),
            Party(ns, "Sender", senderHerId),
            Party(ns, "Receiver", receiverHerId),
            new XElement(ns + "Status", new XAttribute("V", statusCode), new XAttribute("DN", statusText)),
            errors.Select(error => new XElement(ns + "Error",
                new XAttribute("V", error.ErrorCode ?? ""),
                new XAttribute("S", "2.16.578.1.12.4.1.1.8221"),
                error.Description is null ? null : new XAttribute("DN", error.Description),
                error.Details is null ? null : new XAttribute("OT", error.Details))),
            new XElement(ns + "OriginalMsgId",
                new XElement(ns + "MsgType", new XAttribute("V", originalMsgType ?? "")),
                new XElement(ns + "IssueDate", originalGenDate is { } date ? NorwegianTime.Format(date) : ""),
                new XElement(ns + "Id", originalMsgId ?? "")));

        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            new XDocument(new XDeclaration("1.0", "UTF-8", null), root).Save(writer);
        }

        return buffer.ToArray();
    }

    /// <summary>A small MsgHead (for seeded messages): enough for the metadata the API reports.</summary>
    public static byte[] CreateMsgHead(string msgType, Guid msgId, DateTime genDateLocal, int senderHerId, int receiverHerId, string text)
    {
        var xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<MsgHead xmlns=\"http://www.kith.no/xmlstds/msghead/2006-05-24\">"
            + $"<MsgInfo><Type V=\"{msgType}\" DN=\"{msgType}\"/><MIGversion>v1.2 2006-05-24</MIGversion>"
            + $"<GenDate>{NorwegianTime.Format(genDateLocal)}</GenDate><MsgId>{msgId}</MsgId>"
            + $"<Sender><Organisation><OrganisationName>Sender {senderHerId}</OrganisationName><Ident><Id>{senderHerId}</Id><TypeId V=\"HER\" S=\"2.16.578.1.12.4.1.1.9051\" DN=\"HER-id\"/></Ident></Organisation></Sender>"
            + $"<Receiver><Organisation><OrganisationName>Receiver {receiverHerId}</OrganisationName><Ident><Id>{receiverHerId}</Id><TypeId V=\"HER\" S=\"2.16.578.1.12.4.1.1.9051\" DN=\"HER-id\"/></Ident></Organisation></Receiver>"
            + $"</MsgInfo><Document><RefDoc><MsgType V=\"XML\" DN=\"XML-instans\"/><Content><Text>{System.Security.SecurityElement.Escape(text)}</Text></Content></RefDoc></Document></MsgHead>";
        return Encoding.UTF8.GetBytes(xml);
    }

    private static XElement Party(XNamespace ns, string role, int herId) =>
        new(ns + role,
            new XElement(ns + "HCP",
                new XElement(ns + "Inst",
                    new XElement(ns + "Name", $"HER {herId}"),
                    new XElement(ns + "Id", herId.ToString(CultureInfo.InvariantCulture)),
                    new XElement(ns + "TypeId", new XAttribute("V", "HER"), new XAttribute("S", "2.16.578.1.12.4.1.1.9051"), new XAttribute("DN", "HER-id")))));

    private static XElement? Child(XElement parent, string localName) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static IEnumerable<XElement> Children(XElement parent, string localName) =>
        parent.Elements().Where(e => e.Name.LocalName == localName);
}

/// <summary>
/// Norwegian wall-clock time, which the real server emits for businessDocumentGenDate without any offset
/// ("2025-08-21T11:39:57"). Europe/Oslo follows the EU rule since 1996 (CET, CEST from the last Sunday of
/// March to the last Sunday of October, switching at 01:00 UTC), computed here so no tz database is needed.
/// </summary>
internal static class NorwegianTime
{
    public static DateTime FromUtc(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        var summer = utc >= LastSundayAt0100Utc(utc.Year, 3) && utc < LastSundayAt0100Utc(utc.Year, 10);
        return DateTime.SpecifyKind(utc.AddHours(summer ? 2 : 1), DateTimeKind.Unspecified);
    }

    /// <summary>ISO 8601 without an offset; fractional seconds only when there are any, like .NET's round-trip format.</summary>
    public static string Format(DateTime local) => local.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    private static DateTime LastSundayAt0100Utc(int year, int month)
    {
        var last = new DateTime(year, month, DateTime.DaysInMonth(year, month), 1, 0, 0, DateTimeKind.Utc);
        return last.AddDays(-(int)last.DayOfWeek);
    }
}
