#!/usr/bin/perl
# Turns OTOBO's database XML into SQL with OTOBO's own code, as its web installer does
# (Kernel/Modules/Installer.pm: Kernel::System::XML::XMLParse, then
# Kernel::System::DB::SQLProcessor; the foreign keys from SQLProcessorPost come last).
# This is bin/otobo.Console.pl Dev::Tools::Database::XML2SQL without its console frame (which
# refuses to run as root), printing JSON: {"connect": "...", "sql": [...], "post": [...]}.
#
#   OTOBO_HOME=/path/to/otobo perl xml2sql.pl postgresql scripts/database/otobo-schema.xml
#
# Used by tests/otobo/generate.py only; the tests read the SQL files it wrote.
use strict;
use warnings;
use lib $ENV{OTOBO_HOME};
use lib "$ENV{OTOBO_HOME}/Kernel/cpan-lib";
use JSON::PP ();
use Kernel::System::ObjectManager;

my ( $DatabaseType, $Source ) = @ARGV;
local $Kernel::OM = Kernel::System::ObjectManager->new();
$Kernel::OM->Get('Kernel::Config')->Set( Key => 'Database::Type',        Value => $DatabaseType );
$Kernel::OM->Get('Kernel::Config')->Set( Key => 'Database::ShellOutput', Value => 0 );

my $XML = ${ $Kernel::OM->Get('Kernel::System::Main')->FileRead(
    Location => $Source, Mode => 'utf8', Result => 'SCALAR',
) };
my @XMLArray = $Kernel::OM->Get('Kernel::System::XML')->XMLParse( String => $XML );
my $DBObject = $Kernel::OM->Get('Kernel::System::DB');
my @SQL      = $DBObject->SQLProcessor( Database => \@XMLArray );
my @Post     = $DBObject->SQLProcessorPost();
print JSON::PP->new->utf8->canonical->pretty->encode( {
    connect => $DBObject->{Backend}->{'DB::Connect'} // '',
    sql     => \@SQL,
    post    => \@Post,
} );
