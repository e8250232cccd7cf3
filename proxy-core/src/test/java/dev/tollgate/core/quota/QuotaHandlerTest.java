package dev.tollgate.core.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.WrittenResponse;
import dev.tollgate.core.pipeline.TestServices;
import dev.tollgate.core.plan.PlanCatalogueHolder;
import dev.tollgate.core.plan.PlanResolver;
import dev.tollgate.core.pricing.ModelPriceTable;
import dev.tollgate.core.store.FakeStateStore;
import dev.tollgate.core.store.TenantRecord;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class QuotaHandlerTest {

  private static final String TENANT = "ten_1";
  private static final String SUBJECT_HEADER = "X-Tollgate-Subject";

  private final FakeStateStore store = new FakeStateStore();
  private final PlanResolver plans = new PlanResolver(
      new PlanCatalogueHolder(TestServices.catalogue("config/plans/analysis-quota.yaml")));
  private final QuotaHandler.Ledgers ledgers = new QuotaHandler.Ledgers(
      new QuotaLedger("requests", store, store.executor(), 1000, 1000, Clock.systemUTC()),
      new QuotaLedger("tokens", store, store.executor(), 1_000_000, 1000, Clock.systemUTC()),
      new QuotaLedger("costMicroUsd", store, store.executor(), 10_000_000, 1000, Clock.systemUTC()),
      new SubjectTracker(Clock.systemUTC()), () -> ModelPriceTable.load(TestServices.projectFile("config/models.yaml")),
      plans, 4096);

  @Test
  void aMachinesRequestThatFailsUpstreamGivesItsCooldownBack() {
    EmbeddedChannel channel = newChannel();
    RequestContext failed = admit(channel, "machine-1");

    failed.status(502); // the provider failed: refunded, and the machine may try again at once
    failed.complete();
    RequestContext retried = admit(channel, "machine-1");

    assertThat(failed.countedSubject()).isEqualTo("machine-1");
    assertThat(failed.billableUnits()).isZero();
    assertThat(retried.countedSubject()).isEqualTo("machine-1");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aMachinesAnsweredRequestStartsItsCooldown() {
    EmbeddedChannel channel = newChannel();
    RequestContext answered = admit(channel, "machine-1");
    answered.status(200);
    answered.complete();
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(newContext());
    FullHttpRequest again = request("machine-1");

    channel.writeInbound(again);

    assertThat(again.refCnt()).isZero();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(429);
    assertThat(channel.finish()).isFalse();
  }

  /** Sends a counted request for {@code machine} through the stage, lets the lease come, expects it passed. */
  private RequestContext admit(EmbeddedChannel channel, String machine) {
    RequestContext context = newContext();
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(context);
    channel.writeInbound(request(machine));
    while (store.runPendingTasks() > 0) {
      channel.runPendingTasks();
    }
    FullHttpRequest passed = channel.readInbound();
    assertThat(passed).as("admitted").isNotNull();
    passed.release();
    return context;
  }

  private EmbeddedChannel newChannel() {
    return new EmbeddedChannel(new QuotaHandler(ledgers));
  }

  private RequestContext newContext() {
    TenantRecord tenant = new TenantRecord(TENANT, TENANT, "starter", 1L);
    RequestContext context = new RequestContext("req_test", System.nanoTime(), System.currentTimeMillis(),
        TestConfigs.gateway(), "POST", "/ai/analyze/vibration");
    context.principal(new Principal(TENANT, "prj_1", "key_1", null));
    context.tenant(tenant);
    context.plan(plans.planOf(tenant));
    context.units(1);
    return context;
  }

  private static FullHttpRequest request(String machine) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
        "/ai/analyze/vibration", Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
    request.headers().set(SUBJECT_HEADER, machine);
    return request;
  }
}
