// The Azure Bot resource shared by every environment: the bot's registration with Bot Framework, its Teams
// channel, and the OAuth connection approvers sign in through when Teams cannot sign them in silently
// (multi-factor authentication, Conditional Access, consent). The connection signs the approver in to the
// app's own API (access_as_user); the bot exchanges that token on-behalf-of them for Microsoft Graph, exactly
// like the token Teams hands over silently.

@maxLength(42)
param botDisplayName string
param botServiceName string
param botServiceSku string = 'F0'
@description('The messaging endpoint, https://<host>/api/messages')
param endpoint string

param aadAppClientId string
@secure()
param aadAppClientSecret string
param aadAppTenantId string
@description('The Application ID URI: audience of Teams SSO tokens and the connection\'s token exchange URL')
param aadAppIdUri string
@description('The OAuth connection\'s name; the bot reads it from OAUTH_CONNECTION_NAME')
param oauthConnectionName string

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  kind: 'azurebot'
  location: 'global'
  name: botServiceName
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: endpoint
    msaAppId: aadAppClientId
    msaAppTenantId: aadAppTenantId
    msaAppType: 'SingleTenant'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  location: 'global'
  name: 'MsTeamsChannel'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// "Azure Active Directory v2" connection (its service provider id), as the Teams SSO set-up describes it:
// client id and secret of the app registration, its tenant, the Application ID URI as Token Exchange URL.
resource approverSignIn 'Microsoft.BotService/botServices/connections@2022-09-15' = {
  parent: botService
  location: 'global'
  name: oauthConnectionName
  properties: {
    serviceProviderDisplayName: 'Azure Active Directory v2'
    serviceProviderId: '30dd229c-58e3-4a48-bdfd-91ec48eb906c'
    clientId: aadAppClientId
    clientSecret: aadAppClientSecret
    scopes: 'openid profile offline_access ${aadAppIdUri}/access_as_user'
    parameters: [
      {
        key: 'tenantID'
        value: aadAppTenantId
      }
      {
        key: 'tokenExchangeUrl'
        value: aadAppIdUri
      }
    ]
  }
}
