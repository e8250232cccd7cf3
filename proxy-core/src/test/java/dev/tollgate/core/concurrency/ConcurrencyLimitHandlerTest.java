package dev.tollgate.core.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.WrittenResponse;
import dev.tollgate.core.pipeline.TestServices;
import dev.tollgate.core.plan.Plan;
import dev.tollgate.core.plan.PlanCatalogueHolder;
import dev.tollgate.core.plan.PlanResolver;
import dev.tollgate.core.store.TenantRecord;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitHandlerTest {

  private static final String TENANT = "ten_1";

  private final InFlightCounter inFlight = new InFlightCounter();
  private final Plan plan = new PlanResolver(
      new PlanCatalogueHolder(TestServices.catalogue("config/plans/analysis-quota.yaml")))
      .planOf(new TenantRecord(TENANT, TENANT, "starter", 1L));

  @Test
  void holdsTheRequestAndStreamSlotsUntilTheRequestEnds() {
    EmbeddedChannel channel = newChannel();
    RequestContext streaming = send(channel, true);

    assertThat(inFlight.inFlight(TENANT)).isOne();
    assertThat(inFlight.inFlight("s:" + TENANT)).isOne();
    streaming.complete();

    assertThat(inFlight.inFlight(TENANT)).isZero();
    assertThat(inFlight.inFlight("s:" + TENANT)).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void refusesPastThePlansLimitAndAdmitsAgainOnceARequestEnds() {
    EmbeddedChannel channel = newChannel();
    RequestContext first = send(channel, false);
    for (int i = 1; i < plan.maxConcurrentRequests(); i++) {
      send(channel, false);
    }
    FullHttpRequest over = request();
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(newContext(false));

    channel.writeInbound(over);

    assertThat(over.refCnt()).isZero();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(429);
    first.complete();
    first.complete(); // a second end gives nothing back twice
    assertThat(inFlight.inFlight(TENANT)).isEqualTo(plan.maxConcurrentRequests() - 1);
    send(channel, false);
    assertThat(channel.finish()).isFalse();
  }

  /** Sends a request through the stage and expects it passed on. */
  private RequestContext send(EmbeddedChannel channel, boolean stream) {
    RequestContext context = newContext(stream);
    channel.attr(ChannelAttrs.REQUEST_CONTEXT).set(context);
    channel.writeInbound(request());
    FullHttpRequest passed = channel.readInbound();
    assertThat(passed).as("admitted").isNotNull();
    passed.release();
    return context;
  }

  private EmbeddedChannel newChannel() {
    return new EmbeddedChannel(new ConcurrencyLimitHandler(inFlight));
  }

  private RequestContext newContext(boolean stream) {
    RequestContext context = new RequestContext("req_test", System.nanoTime(), System.currentTimeMillis(),
        TestConfigs.gateway(), "POST", "/v1/chat/completions");
    context.principal(new Principal(TENANT, "prj_1", "key_1", null));
    context.plan(plan);
    context.stream(stream);
    return context;
  }

  private static FullHttpRequest request() {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions",
        Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
  }
}
