package dev.tollgate.server.realtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A provider stand-in for the realtime relay tests, on loopback: {@code POST /v1/realtime/client_secrets}
 * answers an ephemeral secret, and {@code GET /v1/realtime} upgrades to a WebSocket whose behaviour the
 * client scripts with text messages: {@code echo:X} answers X, binary frames are echoed, {@code usage:IN:OUT}
 * sends a {@code response.done} event with that usage, {@code close:CODE} closes with CODE,
 * {@code drop} cuts the connection. Pings are answered with pongs. Every frame and close code received
 * is recorded.
 */
final class ScriptedRealtimeUpstream implements AutoCloseable {

  final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  final BlockingQueue<HttpHeaders> handshakes = new LinkedBlockingQueue<>();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;

  ScriptedRealtimeUpstream() throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  static String responseDone(long input, long output) {
    return "{\"type\":\"response.done\",\"response\":{\"id\":\"resp_1\",\"model\":\"gpt-realtime\",\"usage\":{"
        + "\"total_tokens\":" + (input + output) + ",\"input_tokens\":" + input + ",\"output_tokens\":" + output
        + ",\"input_token_details\":{\"text_tokens\":" + input + ",\"audio_tokens\":0,\"cached_tokens\":0},"
        + "\"output_token_details\":{\"text_tokens\":0,\"audio_tokens\":" + output + "}}}}";
  }

  private final class Handler extends SimpleChannelInboundHandler<Object> {

    private WebSocketServerHandshaker handshaker;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpRequest request) {
        onHttp(ctx, request);
        return;
      }
      if (msg instanceof WebSocketFrame frame) {
        onFrame(ctx, frame);
      }
    }

    private void onHttp(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (request.uri().startsWith("/v1/realtime/client_secrets")) {
        byte[] body = "{\"value\":\"ek_scripted\",\"expires_at\":1900000000}".getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        ctx.writeAndFlush(response);
        return;
      }
      handshakes.add(request.headers().copy());
      handshaker = new WebSocketServerHandshakerFactory("ws://127.0.0.1/v1/realtime", null, false, 1 << 20)
          .newHandshaker(request);
      handshaker.handshake(ctx.channel(), request);
    }

    private void onFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof CloseWebSocketFrame close) {
        received.add("close:" + close.statusCode() + ":" + close.reasonText());
        ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), "ack")).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (frame instanceof PingWebSocketFrame) {
        received.add("ping");
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        return;
      }
      if (frame instanceof BinaryWebSocketFrame) {
        ByteBuf content = frame.content();
        received.add("binary:" + content.readableBytes());
        ctx.writeAndFlush(new BinaryWebSocketFrame(content.retain()));
        return;
      }
      if (!(frame instanceof TextWebSocketFrame text)) {
        return;
      }
      String message = text.text();
      received.add(message);
      if (message.startsWith("echo:")) {
        ctx.writeAndFlush(new TextWebSocketFrame(message.substring(5)));
      } else if (message.startsWith("usage:")) {
        String[] parts = message.split(":");
        ctx.writeAndFlush(new TextWebSocketFrame(responseDone(Long.parseLong(parts[1]), Long.parseLong(parts[2]))));
      } else if (message.startsWith("close:")) {
        ctx.writeAndFlush(new CloseWebSocketFrame(Integer.parseInt(message.substring(6)), "upstream bye"));
      } else if (message.equals("drop")) {
        ctx.close();
      }
    }
  }
}
