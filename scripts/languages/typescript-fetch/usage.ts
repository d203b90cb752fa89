// A TypeScript program against the client openapi-generator's typescript-fetch target makes of openapi.yaml:
// instance status, a text message and a webhook payload narrowed on its messageType.
import {
  Configuration,
  InstanceApi,
  KnownWebhookEventFromJSON,
  MessagesApi,
  type SendMessageResponse,
} from "./generated/index";

const configuration = new Configuration({
  basePath: "https://api4.megaapi.com.br", // the {host} server variable: the instance's host
  accessToken: async () => "token",
});

export async function status(instanceKey: string): Promise<boolean> {
  const reply = await new InstanceApi(configuration).getInstanceStatus({ instanceKey });
  return reply.instance?.user !== undefined;
}

export async function sendText(instanceKey: string, to: string, text: string): Promise<SendMessageResponse> {
  return new MessagesApi(configuration).sendText({ instanceKey, sendTextRequest: { messageData: { to, text } } });
}

export function textOf(body: string): string | undefined {
  const event = KnownWebhookEventFromJSON(JSON.parse(body));
  switch (event.messageType) {
    case "conversation":
      return event.message.conversation;
    case "extendedTextMessage":
      return event.message.extendedTextMessage?.text;
    default:
      return undefined;
  }
}
