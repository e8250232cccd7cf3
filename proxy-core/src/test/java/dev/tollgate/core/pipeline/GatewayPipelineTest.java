package dev.tollgate.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.config.TestConfigs;
import dev.tollgate.core.route.ProviderEndpoint;
import dev.tollgate.core.store.FakeStateStore;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GatewayPipelineTest {

  private static EventLoopGroup group;

  private final ConfigHolder config = TestConfigs.holder();
  private final FakeStateStore store = new FakeStateStore();
  private GatewayPipeline pipeline;

  @BeforeAll
  static void startLoop() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopLoop() {
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).syncUninterruptibly();
  }

  @Test
  void clientPipelineListsTheClientStagesInEnumOrder() throws Exception {
    pipeline = newPipeline();

    List<String> names = namesAfter(ch -> pipeline.initChannel(ch));

    assertThat(names).containsExactlyElementsOf(stageNames(PipelineStage.Side.CLIENT, false));
  }

  @Test
  void upstreamPipelineForAnHttpProviderHasNoTlsStage() throws Exception {
    pipeline = newPipeline();
    ProviderEndpoint groq = ProviderEndpoint.of("groq", config.current().provider("groq"));

    List<String> names = namesAfter(ch -> pipeline.initUpstreamChannel(ch, groq));

    assertThat(groq.tls()).isFalse();
    assertThat(names).containsExactlyElementsOf(stageNames(PipelineStage.Side.UPSTREAM, false));
  }

  @Test
  void upstreamPipelineForAnHttpsProviderStartsWithTlsThatVerifiesTheHostName() throws Exception {
    pipeline = newPipeline();
    ProviderEndpoint openai = ProviderEndpoint.of("openai", config.current().provider("openai"));
    String[] identification = new String[1];

    List<String> names = namesAfter(ch -> {
      pipeline.initUpstreamChannel(ch, openai);
      SslHandler tls = (SslHandler) ch.pipeline().get(PipelineStage.UPSTREAM_TLS.handlerName());
      identification[0] = tls.engine().getSSLParameters().getEndpointIdentificationAlgorithm();
    });

    List<String> expected = new java.util.ArrayList<>(stageNames(PipelineStage.Side.UPSTREAM, false));
    expected.add(0, PipelineStage.UPSTREAM_TLS.handlerName());
    assertThat(names).containsExactlyElementsOf(expected);
    assertThat(identification[0]).isEqualTo("HTTPS");
  }

  @Test
  void onlyAnHttp2StreamJoinsTheBodyPiecesOfARead() throws Exception {
    pipeline = newPipeline();
    ProviderEndpoint groq = ProviderEndpoint.of("groq", config.current().provider("groq"));

    List<String> stream = namesAfter(ch -> pipeline.initUpstreamStream(ch, groq));
    List<String> connection = namesAfter(ch -> pipeline.initUpstreamChannel(ch, groq));

    assertThat(stream).containsExactly(PipelineStage.UPSTREAM_CODEC.handlerName(),
        PipelineStage.UPSTREAM_COALESCE.handlerName(), PipelineStage.USAGE_TAP.handlerName(),
        PipelineStage.RELAY.handlerName());
    assertThat(connection).doesNotContain(PipelineStage.UPSTREAM_COALESCE.handlerName());
  }

  @Test
  void anHttp2ProviderConnectionConsolidatesFlushesBeforeItsFrameCodec() throws Exception {
    pipeline = newPipeline();
    ProviderEndpoint openai = ProviderEndpoint.of("openai", config.current().provider("openai"));
    Object[] flush = new Object[1];

    List<String> names = namesAfter(ch -> {
      pipeline.initUpstreamHttp2Connection(ch, openai, new ChannelInboundHandlerAdapter());
      flush[0] = ch.pipeline().get(PipelineStage.UPSTREAM_HTTP2_FLUSH.handlerName());
    });

    assertThat(names).containsExactlyElementsOf(stageNames(PipelineStage.Side.UPSTREAM_HTTP2, true));
    assertThat(flush[0]).isInstanceOf(FlushConsolidationHandler.class);
  }

  @Test
  void everyStageHasAUniqueHandlerName() {
    assertThat(Arrays.stream(PipelineStage.values()).map(PipelineStage::handlerName))
        .doesNotHaveDuplicates();
  }

  private GatewayPipeline newPipeline() throws Exception {
    return new GatewayPipeline(TestServices.create(config, store, event -> { }), NioSocketChannel.class);
  }

  /** Registers a fresh unconnected channel, runs {@code init} on its event loop, and returns the handler names. */
  private static List<String> namesAfter(Consumer<NioSocketChannel> init) throws Exception {
    NioSocketChannel ch = new NioSocketChannel();
    group.register(ch).sync();
    try {
      return ch.eventLoop().submit(() -> {
        init.accept(ch);
        // Netty lists its own tail context too; drop it
        return ch.pipeline().names().stream()
            .filter(name -> !name.startsWith("DefaultChannelPipeline$"))
            .toList();
      }).get();
    } finally {
      ch.close().sync();
    }
  }

  private static List<String> stageNames(PipelineStage.Side side, boolean withOptional) {
    return Arrays.stream(PipelineStage.values())
        .filter(s -> s.side() == side)
        .filter(s -> withOptional || !s.optional())
        .map(PipelineStage::handlerName)
        .toList();
  }
}
