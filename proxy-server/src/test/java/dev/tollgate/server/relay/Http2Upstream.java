package dev.tollgate.server.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider speaking cleartext HTTP/2 with prior knowledge (h2c, no upgrade), on Netty. It counts the
 * connections it accepted, the streams it served and the streams the gateway reset, and answers by
 * the request's model: {@code h2-json} a JSON completion, {@code h2-empty} a 200 without a body (its
 * HEADERS frame ends the stream), {@code h2-sse} a whole SSE stream, {@code
 * h2-hold} the response head and one event, then holds the stream open (see {@link #held()}), {@code
 * h2-flood} {@link #FLOOD_EVENTS} large events written as fast as HTTP/2 flow control lets through.
 */
final class Http2Upstream implements AutoCloseable {

  static final String JSON_BODY =
      "{\"id\":\"h2\",\"model\":\"h2-json\",\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}";
  static final int FLOOD_EVENTS = 1024;
  static final int FLOOD_EVENT_BYTES = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private final AtomicInteger resets = new AtomicInteger();
  private final AtomicLong floodWrittenBytes = new AtomicLong();
  private final BlockingQueue<Channel> held = new LinkedBlockingQueue<>();
  private final Queue<Channel> openConnections = new ConcurrentLinkedQueue<>();

  Http2Upstream() throws InterruptedException {
    this(0);
  }

  /** @param maxConcurrentStreams the SETTINGS_MAX_CONCURRENT_STREAMS announced, or 0 for Netty's default */
  Http2Upstream(int maxConcurrentStreams) throws InterruptedException {
    Http2Settings settings = Http2Settings.defaultSettings();
    if (maxConcurrentStreams > 0) {
      settings.maxConcurrentStreams(maxConcurrentStreams);
    }
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            connections.incrementAndGet();
            openConnections.add(ch);
            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build(),
                new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel stream) {
                    stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                        new HttpObjectAggregator(1 << 20), new Responder());
                  }
                }));
          }
        })
        .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  int connections() {
    return connections.get();
  }

  int streams() {
    return streams.get();
  }

  int resets() {
    return resets.get();
  }

  long floodWrittenBytes() {
    return floodWrittenBytes.get();
  }

  /**
   * Sends GOAWAY (no error, every stream so far may finish) on each connection accepted so far, as a
   * provider does before it restarts; the connections stay open until the gateway closes them.
   */
  void goAway() throws InterruptedException {
    for (Channel connection : openConnections) {
      connection.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).sync();
    }
  }

  /** Stream channels of {@code h2-hold} requests, in arrival order; their parent is the connection. */
  BlockingQueue<Channel> held() {
    return held;
  }

  /** Ends a held stream: a usage event, {@code [DONE]} and the end of the stream. */
  static void finish(Channel stream) {
    stream.eventLoop().execute(() -> {
      stream.write(new DefaultHttpContent(Unpooled.copiedBuffer(
          usageChunk(2, 1) + "data: [DONE]\n\n", StandardCharsets.UTF_8)));
      stream.writeAndFlush(new DefaultLastHttpContent());
    });
  }

  static String chunk(String text) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"h2-sse\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"}}]}\n\n";
  }

  static String usageChunk(int input, int output) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"h2-sse\",\"choices\":[],"
        + "\"usage\":{\"prompt_tokens\":" + input + ",\"completion_tokens\":" + output + "}}\n\n";
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
      streams.incrementAndGet();
      JsonNode body = JSON.readTree(request.content().toString(StandardCharsets.UTF_8));
      String model = body.path("model").asText();
      if (model.equals("h2-empty")) { // no body: the HEADERS frame ends the stream
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        ctx.writeAndFlush(response);
        return;
      }
      if (model.equals("h2-json")) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.copiedBuffer(JSON_BODY, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
            .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        ctx.writeAndFlush(response);
        return;
      }
      DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
      ctx.write(head);
      switch (model) {
        case "h2-sse" -> {
          for (String part : new String[] {chunk("one"), chunk("two"), usageChunk(11, 5) + "data: [DONE]\n\n"}) {
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(part, StandardCharsets.UTF_8)));
          }
          ctx.writeAndFlush(new DefaultLastHttpContent());
        }
        case "h2-hold" -> {
          ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(chunk("held"), StandardCharsets.UTF_8)));
          held.add(ctx.channel());
        }
        case "h2-flood" -> flood(ctx, 0);
        default -> throw new IllegalArgumentException("model " + model);
      }
    }

    /** Writes event {@code i} once the previous one has gone out (flow control holds a write back). */
    private void flood(ChannelHandlerContext ctx, int i) {
      if (i == FLOOD_EVENTS) {
        ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("data: [DONE]\n\n", StandardCharsets.US_ASCII)));
        ctx.writeAndFlush(new DefaultLastHttpContent());
        return;
      }
      String event = "data: " + "x".repeat(FLOOD_EVENT_BYTES - 8) + "\n\n";
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.US_ASCII)))
          .addListener(f -> {
            if (f.isSuccess()) {
              floodWrittenBytes.addAndGet(FLOOD_EVENT_BYTES);
              flood(ctx, i + 1);
            }
          });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof Http2ResetFrame) {
        resets.incrementAndGet();
      }
      ctx.fireUserEventTriggered(evt);
    }
  }
}
