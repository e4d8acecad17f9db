using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Edi2.FakeNhn;
using Xunit;
using static Edi2.FakeNhn.Tests.EdiApiCaller;

namespace Edi2.FakeNhn.Tests;

/// <summary>Who may act for which HER-id: the organisation link, v2's herid claim, v3 configurations and locks.</summary>
public sealed class EdiApiAuthorizationTests : IClassFixture<EdiApiFixture>
{
    private readonly EdiApiFixture _fixture;
    private readonly FakeNhnServer _server;
    private readonly EdiApiCaller _api;

    public EdiApiAuthorizationTests(EdiApiFixture fixture)
    {
        fixture.Reset();
        _fixture = fixture;
        _server = fixture.Server;
        _api = fixture.Api;
    }

    [Fact]
    public async Task A_HER_id_of_another_organisation_is_403_1202()
    {
        var notifications = await _api.GetAsync($"/notifications?HerIds={HerA}&HerIds={HerForeign}&Offset=0");
        Assert.Equal((HttpStatusCode.Forbidden, 1202), (notifications.Status, notifications.ErrorCode));
        Assert.Contains(HerForeign.ToString(), notifications.Json.GetProperty("detail").GetString());

        var send = await _api.SendAsync(HttpMethod.Post, "/messages", SendBody(HerForeign, [HerA]));
        Assert.Equal((HttpStatusCode.Forbidden, 1202), (send.Status, send.ErrorCode));
    }

    [Fact]
    public async Task A_sub_unit_HER_id_is_reachable_once_configured()
    {
        var unconfigured = await _api.GetAsync($"/notifications?HerIds={HerSub}&Offset=0");
        Assert.Equal((HttpStatusCode.Forbidden, 1202), (unconfigured.Status, unconfigured.ErrorCode));
        Assert.Contains("no MSH configuration", unconfigured.Json.GetProperty("detail").GetString());

        await _api.ConfigureAsync(false, HerSub);

        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/notifications?HerIds={HerSub}&Offset=0")).Status);
    }

    [Fact]
    public async Task Unconfigured_HER_id_cannot_send_download_or_apprec_in_v3()
    {
        var received = _server.Edi.AddInboundMessage(HerForeign, [HerSub], MsgHeadXml(HerForeign, HerSub));

        var send = await _api.SendAsync(HttpMethod.Post, "/messages", SendBody(HerSub, [HerA]));
        var downloaded = await _api.SendAsync(HttpMethod.Put, $"/messages/{received}/downloaded", new { receiverHerId = HerSub });
        var appRec = await _api.SendAsync(HttpMethod.Post, $"/messages/{received}/apprec",
            new { appRecSenderHerId = HerSub, appRecStatus = "Ok", applicationName = "x", applicationVersion = "1" });

        Assert.All(new[] { send, downloaded, appRec }, answer => Assert.Equal((HttpStatusCode.Forbidden, 1202), (answer.Status, answer.ErrorCode)));
        // Reading needs no configuration, only the organisation link.
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/messages/{received}")).Status);
    }

    [Fact]
    public async Task Reading_another_organisations_message_is_403_1201_and_v2_says_HerIds()
    {
        var foreign = await _fixture.CallerAsync(ForeignClientId);
        var message = _server.Edi.AddInboundMessage(HerA, [HerB], MsgHeadXml(HerA, HerB));

        foreach (var path in new[] { $"/messages/{message}", $"/messages/{message}/business-document", $"/messages/{message}/status" })
        {
            var answer = await foreign.GetAsync(path);
            Assert.True((answer.Status, answer.ErrorCode) == (HttpStatusCode.Forbidden, 1201), answer.ToString());
        }

        var v2 = await foreign.GetAsync($"/Messages/{message}", version: "2");
        Assert.Equal(HttpStatusCode.Forbidden, v2.Status);
        Assert.Equal("application/json", v2.MediaType);
        Assert.Equal($"Not authorized for HerId(s): {HerA}, {HerB}", v2.Json.GetProperty("error").GetString());
        Assert.Equal(0, v2.ErrorCode);
    }

    [Fact]
    public async Task A_HER_id_locked_by_another_client_is_423_1210_for_changes_but_not_for_reading()
    {
        _server.Edi.SetConfiguration(HerB, HelseIdCaller.ClientId, clientLocked: true);
        var second = await _fixture.CallerAsync(SecondClientId);
        var received = _server.Edi.AddInboundMessage(HerForeign, [HerB], MsgHeadXml(HerForeign, HerB));

        var answers = new[]
        {
            await second.SendAsync(HttpMethod.Post, "/messages", SendBody(HerB, [HerA])),
            await second.SendAsync(HttpMethod.Put, $"/messages/{received}/downloaded", new { receiverHerId = HerB }),
            await second.SendAsync(HttpMethod.Post, $"/messages/{received}/apprec",
                new { appRecSenderHerId = HerB, appRecStatus = "Ok", applicationName = "x", applicationVersion = "1" }),
            await second.SendAsync(HttpMethod.Put, "/mshconfigurations",
                new { configurations = new[] { new { herId = HerSub, receiveNotificationChannel = "Api" }, new { herId = HerB, receiveNotificationChannel = "Api" } } }),
            await second.SendAsync(HttpMethod.Delete, $"/mshconfigurations?HerIds={HerB}"),
        };

        Assert.All(answers, answer => Assert.True((answer.Status, answer.ErrorCode) == ((HttpStatusCode)423, 1210), answer.ToString()));
        Assert.Null(_server.Edi.GetConfiguration(HerSub)); // all or nothing
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync($"/notifications?HerIds={HerB}&Offset=0")).Status);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync($"/messages/{received}")).Status);

        // The owner may change its own locked configuration; unlocking frees the HER-id.
        await _api.ConfigureAsync(false, HerB);
        Assert.Equal(HttpStatusCode.Accepted, (await second.SendAsync(HttpMethod.Post, "/messages", SendBody(HerB, [HerA]))).Status);
        await second.ConfigureAsync(true, HerB);
        Assert.Equal(SecondClientId, _server.Edi.GetConfiguration(HerB)!.ClientId);
        Assert.Equal(HttpStatusCode.NoContent, (await second.SendAsync(HttpMethod.Delete, $"/mshconfigurations?HerIds={HerB}")).Status);
    }

    [Fact]
    public async Task v2_herid_claim_narrows_the_organisations_HER_ids()
    {
        var second = await _fixture.CallerAsync(SecondClientId); // herid claim = HerA only

        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync($"/Messages?ReceiverHerIds={HerA}", version: "2")).Status);

        var refused = await second.GetAsync($"/Messages?ReceiverHerIds={HerA}&ReceiverHerIds={HerB}", version: "2");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        var body = refused.Json;
        Assert.Equal(["error", "errorCode", "validationErrors", "stackTrace", "requestId"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"Not authorized for HerId(s): {HerB}", body.GetProperty("error").GetString());
        Assert.Equal(0, body.GetProperty("errorCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("validationErrors").ValueKind);
        Assert.True(Guid.TryParse(body.GetProperty("requestId").GetString(), out _));

        // The claim "0" means all of the organisation's HER-ids, sub-units included, but no others.
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync($"/Messages?ReceiverHerIds={HerB}&ReceiverHerIds={HerSub}", version: "2")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await _api.GetAsync($"/Messages?ReceiverHerIds={HerForeign}", version: "2")).Status);
    }
}
