package dev.tollgate.core.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.route.Operation;
import dev.tollgate.core.route.RouteMatch;
import dev.tollgate.core.route.Router;
import org.junit.jupiter.api.Test;

class RealtimeRoutesTest {

  private final Router router = new Router(TestConfigs.gateway());

  @Test
  void routesTheLocalRealtimeEndpointsToTheDefaultProvidersSessionPath() {
    RouteMatch session = router.route("/session");

    assertThat(session.operation()).isEqualTo(Operation.REALTIME_SESSION);
    assertThat(session.upstreamUri()).endsWith("/v1/realtime/client_secrets");
    assertThat(router.route("/turn-credentials").operation()).isEqualTo(Operation.TURN_CREDENTIALS);
    assertThat(router.route("/telemetry/ice").operation()).isEqualTo(Operation.ICE_TELEMETRY);
    assertThat(router.route("/playground").operation()).isEqualTo(Operation.PLAYGROUND);
    assertThat(Operation.REALTIME_SESSION.local()).isTrue();
    assertThat(Operation.REALTIME.local()).isFalse();
  }

  @Test
  void routesTheRealtimeWebSocketPathsLikeAnyProviderPath() {
    assertThat(router.route("/v1/realtime?model=gpt-realtime").operation()).isEqualTo(Operation.REALTIME);
    assertThat(router.route("/v1/realtime?model=gpt-realtime").upstreamUri()).endsWith("/v1/realtime?model=gpt-realtime");
  }

  @Test
  void computesTheRfc6455AcceptKey() {
    // RFC 6455 §1.3 example
    assertThat(RealtimeSession.acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }
}
