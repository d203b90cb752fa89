// A Go program against the client openapi-generator makes of openapi.yaml: instance status, a text message and a
// webhook payload. `go vet` checks it; it makes no network call unless MEGAAPI_TOKEN is set.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"megaapi"
)

func main() {
	client := megaapi.NewAPIClient(megaapi.NewConfiguration())
	ctx := context.WithValue(context.Background(), megaapi.ContextServerVariables, map[string]string{"host": "api4"})
	ctx = context.WithValue(ctx, megaapi.ContextAccessToken, os.Getenv("MEGAAPI_TOKEN"))
	key := os.Getenv("MEGAAPI_INSTANCE_KEY")

	request := megaapi.NewSendTextRequest(*megaapi.NewTextMessage("5511999999999@s.whatsapp.net", "Olá"))
	body, err := json.Marshal(request)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(body))

	payload := []byte(`{"messageType": "conversation", "key": {"remoteJid": "5511999999999@s.whatsapp.net",
		"fromMe": false, "id": "3EB0C767D26A1D4B1F9E"}, "message": {"conversation": "Oi"}}`)
	var event megaapi.KnownWebhookEvent
	if err := json.Unmarshal(payload, &event); err != nil {
		panic(err)
	}
	if event.ConversationEvent != nil {
		message := event.ConversationEvent.GetMessage()
		fmt.Println(message.GetConversation())
	}

	if os.Getenv("MEGAAPI_TOKEN") == "" {
		return
	}
	status, _, err := client.InstanceAPI.GetInstanceStatus(ctx, key).Execute()
	if err != nil {
		panic(err)
	}
	fmt.Println(status.GetError())
	sent, _, err := client.MessagesAPI.SendText(ctx, key).SendTextRequest(*request).Execute()
	if err != nil {
		panic(err)
	}
	fmt.Println(sent.GetMessage())
}
